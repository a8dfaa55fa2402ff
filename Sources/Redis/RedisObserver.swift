/// What a `RedisClient` tells its owner: each command's duration and outcome (for
/// `agentd_redis_command_duration_seconds` and `agentd_redis_errors_total{op}`), and each change of the
/// client's state (for `agentd_redis_up` and one log line per change, never one per request).
///
/// Called on whichever thread finished the command or noticed the change; implementations must be cheap and
/// must not call back into the client synchronously.
public protocol RedisObserver: Sendable {
    /// `operation` is the caller's name for the command (`rate_limit`, `cache_get`…): a small, fixed set.
    func redisCommandFinished(operation: String, seconds: Double, failure: RedisError?)
    func redisStateChanged(_ change: RedisStateChange)
}

/// A change of a client's state, as one log line would say it.
public enum RedisStateChange: Sendable, Equatable {
    /// Every connection is up for the first time; how the server persists what it acknowledges.
    case connected(endpoint: String, protocolVersion: Int, persistence: RedisPersistence)
    /// The first attempt at start failed; the client keeps trying (said once, not per attempt).
    case cannotConnect(endpoint: String, reason: String)
    /// A connection was lost after the client had been up.
    case lost(endpoint: String, reason: String)
    /// Every connection is up again after a loss.
    case back(endpoint: String, downSeconds: Double)
}
