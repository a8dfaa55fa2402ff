import Security

/// The names of agentd's keys in Redis, all under `AGENTD_REDIS_PREFIX` (default `agentd:`), so deployments
/// can share one Redis. A plain value.
///
///   <prefix>rl:<client>                  token bucket (hash t, ts)
///   <prefix>budget:<client>:<day>        the day's budget (hash c = used + held, h:<minute> holds by expiry)
///   <prefix>conv:<id>, <prefix>conv:<id>:tokens   a conversation's turns and their token total
///   <prefix>conversations                conversations by last use (for the gauge)
///   <prefix>resp:<id>                    a stored Responses API response (owner, then its messages)
///   <prefix>cache:<sha256 of the request key>, `…:lock`   a cached answer and its single-flight lock
public struct RedisKeys: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String = "agentd:") { self.prefix = prefix }

    func bucket(_ client: String) -> String { prefix + "rl:" + client }
    func budget(_ client: String) -> String { prefix + "budget:" + client }
    func budgetDay(_ client: String, day: Int) -> String { budget(client) + ":" + String(day) }
    func conversation(_ id: String) -> (turns: String, tokens: String) {
        let key = prefix + "conv:" + id
        return (key, key + ":tokens")
    }
    var conversationIndex: String { prefix + "conversations" }
    func response(_ id: String) -> String { prefix + "resp:" + id }
    /// Request keys are canonical JSON of a few KB; Redis gets their SHA-256, which no two requests share.
    func cache(_ requestKey: String) -> (answer: String, lock: String) {
        let key = prefix + "cache:" + SHA256.hex(SHA256.hash(Array(requestKey.utf8)))
        return (key, key + ":lock")
    }
}
