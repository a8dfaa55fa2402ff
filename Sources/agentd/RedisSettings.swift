import Foundation
import Redis

/// Shared state on Redis, from the environment (docs/operations.md, "3. Scale out: N replicas on one Redis").
/// Without `AGENTD_REDIS_URL` everything stays in this process (the embedded default).
struct RedisSettings: Sendable {
    /// AGENTD_REDIS_URL: nil keeps state in memory. Its password is a secret: `description` redacts it.
    var url: RedisURL?
    var prefix = "agentd:"
    var timeoutMs = Variable.timeoutMs.defaultValue
    var caFile: String?
    var replicaID = RedisSettings.hostName
    var rateLimitFallback = "local"

    static let settings: [Configuration.Setting] = [
        .init(name: "AGENTD_REDIS_URL", defaultValue: "", summary: "redis://[[user]:password@]host[:port][/db] or rediss:// (TLS): shared state for N replicas (secret)"),
        .init(name: "AGENTD_REDIS_PREFIX", defaultValue: "agentd:", summary: "prefix of every key agentd writes to Redis"),
        Variable.timeoutMs.setting,
        .init(name: "AGENTD_REDIS_CA_FILE", defaultValue: "", summary: "PEM CA certificates for rediss:// (default: the system's)"),
        .init(name: "AGENTD_REDIS_RATE_LIMIT_FALLBACK", defaultValue: "local", summary: "with Redis unreachable: local (each replica's own bucket) or closed (503)"),
        .init(name: "AGENTD_REPLICA_ID", defaultValue: "<host name>", summary: "this replica's name in the task queue and in logs"),
    ]

    static func load(from environment: [String: String], reader: EnvironmentReader) throws(ConfigurationError) -> RedisSettings {
        var settings = RedisSettings()
        if let text = environment["AGENTD_REDIS_URL"]?.trimmingBlanks(), !text.isEmpty {
            do {
                settings.url = try RedisURL(parsing: text)
            } catch {
                throw ConfigurationError(
                    variable: "AGENTD_REDIS_URL", value: RedisSettings.redactedURLText(text), problem: error.description,
                    accepted: "redis://[[user]:password@]host[:port][/db] or rediss://…"
                )
            }
        }
        if let prefix = environment["AGENTD_REDIS_PREFIX"] {
            guard !prefix.isEmpty, prefix.utf8.count <= 64, prefix.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw ConfigurationError(
                    variable: "AGENTD_REDIS_PREFIX", value: prefix, problem: "not a usable key prefix",
                    accepted: "1 to 64 visible ASCII characters, such as agentd: or prod-agentd:"
                )
            }
            settings.prefix = prefix
        }
        settings.timeoutMs = try reader.read(Variable.timeoutMs)
        settings.caFile = reader.path("AGENTD_REDIS_CA_FILE")
        if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError(variable: "AGENTD_REDIS_CA_FILE", value: caFile, problem: "cannot read the file", accepted: "a readable PEM file")
        }
        if let replica = environment["AGENTD_REPLICA_ID"]?.trimmingBlanks(), !replica.isEmpty { settings.replicaID = replica }
        settings.rateLimitFallback = try reader.choice(
            "AGENTD_REDIS_RATE_LIMIT_FALLBACK", default: "local", { ["local", "closed"].contains($0) ? $0 : nil }, accepted: "local|closed"
        )
        return settings
    }

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

extension RedisSettings {
    /// The variables of this group read as numbers: name, default, bounds and meaning, declared once.
    enum Variable {
        static let timeoutMs = IntegerVariable(
            "AGENTD_REDIS_TIMEOUT_MS", default: 250, in: 1...60_000,
            "no Redis command waits longer"
        )
    }
}
