/// Durable background tasks, from the environment (the contract's Tasks section).
struct TaskSettings: Sendable {
    var dataDirectory = "./data"
    var workers = 4
    var queueMax = 1000
    var retentionS = 86_400
    /// AGENTD_WEBHOOK_SECRET: signs webhooks; secret, never printed.
    var webhookSecret: String?
    /// AGENTD_JOURNAL_SYNC: `group` (one fsync shared by concurrent submissions) or `each` (one per record; the
    /// benchmark's reference, never faster).
    var groupCommit = true
    /// AGENTD_TASK_LEASE_S (Redis): a running task's lease, renewed while it runs; lapsed, another replica takes it.
    var leaseS = 30
    /// AGENTD_TASK_MAX_ATTEMPTS (Redis): runs of a task (takeovers and retryable failures) before it fails for good.
    var maxAttempts = 5

    static let settings: [Configuration.Setting] = [
        .init(name: "AGENTD_DATA_DIR", defaultValue: "./data", summary: "directory of the task journal (created if missing)"),
        .init(name: "AGENTD_TASK_WORKERS", defaultValue: "4", summary: "tasks running at once"),
        .init(name: "AGENTD_TASK_QUEUE_MAX", defaultValue: "1000", summary: "tasks waiting for a worker before POST /tasks answers 503"),
        .init(name: "AGENTD_TASK_RETENTION_S", defaultValue: "86400", summary: "how long finished tasks are kept"),
        .init(name: "AGENTD_WEBHOOK_SECRET", defaultValue: "", summary: "signs task webhooks: X-Agentd-Signature: sha256=<HMAC-SHA256 of the body> (secret)"),
        .init(name: "AGENTD_JOURNAL_SYNC", defaultValue: "group", summary: "group: concurrent submissions share one fsync; each: one fsync per record"),
        .init(name: "AGENTD_TASK_LEASE_S", defaultValue: "30", summary: "with Redis: a running task's lease, renewed while it runs; lapsed (its replica died), another replica runs it again"),
        .init(name: "AGENTD_TASK_MAX_ATTEMPTS", defaultValue: "5", summary: "with Redis: runs of a task (takeovers, retryable upstream failures) before it fails for good"),
    ]

    static func load(from environment: [String: String], reader: EnvironmentReader) throws(ConfigurationError) -> TaskSettings {
        var settings = TaskSettings()
        if let directory = environment["AGENTD_DATA_DIR"]?.trimmingBlanks() {
            guard !directory.isEmpty else {
                throw ConfigurationError(variable: "AGENTD_DATA_DIR", value: "", problem: "empty", accepted: "a directory path such as ./data")
            }
            settings.dataDirectory = directory
        }
        settings.workers = try reader.integer("AGENTD_TASK_WORKERS", default: 4, in: 1...1024)
        settings.queueMax = try reader.integer("AGENTD_TASK_QUEUE_MAX", default: 1000, in: 1...10_000_000)
        settings.retentionS = try reader.integer("AGENTD_TASK_RETENTION_S", default: 86_400, in: 1...31_536_000)
        if let secret = environment["AGENTD_WEBHOOK_SECRET"], !secret.isEmpty { settings.webhookSecret = secret }
        settings.leaseS = try reader.integer("AGENTD_TASK_LEASE_S", default: 30, in: 1...86_400)
        settings.maxAttempts = try reader.integer("AGENTD_TASK_MAX_ATTEMPTS", default: 5, in: 1...1000)
        settings.groupCommit = try reader.choice("AGENTD_JOURNAL_SYNC", default: true, { ["group": true, "each": false][$0] }, accepted: "group|each")
        return settings
    }
}
