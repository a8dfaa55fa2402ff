import Logging
import Metrics
import Redis

/// What the Redis client reports, turned into the Redis families (docs/api.md, Observability surface, Metrics)
/// and one log line per state change (connected, cannot connect, lost, back), never one per request.
///
/// Owner: none; the families are thread-safe. (`/health` asks the client itself whether it is up.)
/// Registered only when `AGENTD_REDIS_URL` is set, and then present from the first scrape (every
/// operation's series is made at start).
final class RedisMetrics: RedisObserver {
    /// The operations agentd names its commands by: the `op` label's whole set.
    static let operations = [
        "admit", "budget_settle", "budget_charge", "conversation_read", "conversation_append", "conversation_count",
        "cache_read", "cache_store", "cache_lock",
        "task_submit", "task_read", "task_list", "task_delete", "task_stats", "task_take", "task_claim", "task_start",
        "task_text", "task_tool", "task_finish", "task_webhook", "task_renew", "task_sweep", "task_ping", "task_group", "task_hand_back",
        "subscribe", "unsubscribe",
    ]
    /// Redis answers in tens of microseconds on a LAN; the top buckets catch a struggling one before the timeout.
    static let secondsBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

    let up: Gauge
    let errors: CounterFamily
    let duration: HistogramFamily
    private let logger: Logger

    init(registry: MetricsRegistry, logger: Logger) {
        self.logger = logger
        up = registry.gauge("agentd_redis_up", help: "1 while every connection to Redis is up, else 0.").series
        errors = registry.counter(
            "agentd_redis_errors_total", help: "Redis commands that failed (unreachable, timeout, error reply), by operation.",
            labelNames: ["op"]
        )
        duration = registry.histogram(
            "agentd_redis_command_duration_seconds", help: "Time from sending a Redis command to its reply, by operation.",
            labelNames: ["op"], buckets: RedisMetrics.secondsBuckets
        )
        for operation in RedisMetrics.operations {
            _ = errors.labels(operation)
            _ = duration.labels(operation)
        }
        up.set(0)
    }

    func redisCommandFinished(operation: String, seconds: Double, failure: RedisError?) {
        let known = RedisMetrics.operations.contains(operation) ? operation : "other"
        duration.labels(known).observe(seconds)
        if failure != nil { errors.labels(known).increment() }
    }

    func redisStateChanged(_ change: RedisStateChange) {
        switch change {
        case .connected(let endpoint, let version, let persistence):
            up.set(1)
            logger.log(.info, "redis connected", [
                "endpoint": .string(endpoint), "protocol": .int(version), "persistence": .string(persistence.description),
            ])
            if !persistence.isDurable {
                // Said once at start: budgets, conversations (and tasks) acknowledged by Redis may not survive it.
                logger.log(.warning, "redis does not fsync every write", [
                    "endpoint": .string(endpoint), "persistence": .string(persistence.description),
                    "advice": "run Redis with appendonly yes and appendfsync always",
                ])
            }
        case .cannotConnect(let endpoint, let reason):
            logger.log(.warning, "cannot connect to redis; retrying", ["endpoint": .string(endpoint), "error": .string(reason)])
        case .lost(let endpoint, let reason):
            up.set(0)
            logger.log(.warning, "redis connection lost; reconnecting", ["endpoint": .string(endpoint), "error": .string(reason)])
        case .back(let endpoint, let downSeconds):
            up.set(1)
            logger.log(.warning, "redis connection back", ["endpoint": .string(endpoint), "down_seconds": .double((downSeconds * 1000).rounded() / 1000)])
        }
    }
}

/// The task queue's own connections (its blocking read, its subscriber) count their commands with the rest,
/// but only the main client's connections say whether Redis is up (and log its state changes).
struct RedisCommandMetrics: RedisObserver {
    let next: RedisMetrics

    func redisCommandFinished(operation: String, seconds: Double, failure: RedisError?) {
        next.redisCommandFinished(operation: operation, seconds: seconds, failure: failure)
    }

    func redisStateChanged(_ change: RedisStateChange) {}
}
