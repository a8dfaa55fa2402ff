import Foundation
import Redis

/// Shared state on Redis, from the environment (docs/operations.md, "3. Scale out: N replicas on one Redis").
/// Without `AGENTD_REDIS_URL` everything stays in this process (the embedded default).
struct RedisSettings: Sendable {
    /// AGENTD_REDIS_URL: nil keeps state in memory. Its password is a secret: `description` redacts it.
    var url: RedisURL?
    var prefix: String = Configuration.Variable.redisPrefix.defaultValue
    var timeoutMs: Int = Configuration.Variable.redisTimeoutMs.defaultValue
    var caFile: String?
    var replicaID: String = Configuration.Variable.replicaID.defaultValue
    var rateLimitFallback: String = Configuration.Variable.redisRateLimitFallback.defaultValue

    /// The URL as typed, with any password replaced: error lines must not leak it.
    static func redactedURLText(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound <= at else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text.replacingCharacters(in: scheme.upperBound..<at, with: "<redacted>") }
        return text.replacingCharacters(in: text.index(after: colon)..<at, with: "<redacted>")
    }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "agentd" }
        return String(cString: buffer)
    }
}
