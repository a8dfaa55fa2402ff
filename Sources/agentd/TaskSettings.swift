/// Durable background tasks, from the environment (docs/api.md, Tasks).
struct TaskSettings: Sendable {
    var dataDirectory = "./data"
    var workers = Variable.workers.defaultValue
    var queueMax = Variable.queueMax.defaultValue
    var retentionS = Variable.retentionS.defaultValue
    /// AGENTD_WEBHOOK_SECRET: signs webhooks; secret, never printed.
    var webhookSecret: String?
    /// AGENTD_JOURNAL_SYNC: `group` (one fsync shared by concurrent submissions) or `each` (one per record; the
    /// benchmark's reference, never faster).
    var groupCommit = true
    /// AGENTD_TASK_LEASE_S (Redis): a running task's lease, renewed while it runs; lapsed, another replica takes it.
    var leaseS = Variable.leaseS.defaultValue
    /// AGENTD_TASK_MAX_ATTEMPTS (Redis): runs of a task (takeovers and retryable failures) before it fails for good.
    var maxAttempts = Variable.maxAttempts.defaultValue

    static let settings: [Configuration.Setting] = [
        .init(name: "AGENTD_DATA_DIR", defaultValue: "./data", summary: "directory of the task journal (created if missing)"),
        Variable.workers.setting,
        Variable.queueMax.setting,
        Variable.retentionS.setting,
        .init(name: "AGENTD_WEBHOOK_SECRET", defaultValue: "", summary: "signs task webhooks: X-Agentd-Signature: sha256=<HMAC-SHA256 of the body> (secret)"),
        .init(name: "AGENTD_JOURNAL_SYNC", defaultValue: "group", summary: "group: concurrent submissions share one fsync; each: one fsync per record"),
        Variable.leaseS.setting,
        Variable.maxAttempts.setting,
    ]

    static func load(from environment: [String: String], reader: EnvironmentReader) throws(ConfigurationError) -> TaskSettings {
        var settings = TaskSettings()
        if let directory = environment["AGENTD_DATA_DIR"]?.trimmingBlanks() {
            guard !directory.isEmpty else {
                throw ConfigurationError(variable: "AGENTD_DATA_DIR", value: "", problem: "empty", accepted: "a directory path such as ./data")
            }
            settings.dataDirectory = directory
        }
        settings.workers = try reader.read(Variable.workers)
        settings.queueMax = try reader.read(Variable.queueMax)
        settings.retentionS = try reader.read(Variable.retentionS)
        if let secret = environment["AGENTD_WEBHOOK_SECRET"], !secret.isEmpty { settings.webhookSecret = secret }
        settings.leaseS = try reader.read(Variable.leaseS)
        settings.maxAttempts = try reader.read(Variable.maxAttempts)
        settings.groupCommit = try reader.choice("AGENTD_JOURNAL_SYNC", default: true, { ["group": true, "each": false][$0] }, accepted: "group|each")
        return settings
    }
}

extension TaskSettings {
    /// The variables of this group read as numbers: name, default, bounds and meaning, declared once.
    enum Variable {
        static let workers = IntegerVariable(
            "AGENTD_TASK_WORKERS", default: 4, in: 1...1024,
            "tasks running at once"
        )
        static let queueMax = IntegerVariable(
            "AGENTD_TASK_QUEUE_MAX", default: 1000, in: 1...10_000_000,
            "tasks waiting for a worker before POST /tasks answers 503"
        )
        static let retentionS = IntegerVariable(
            "AGENTD_TASK_RETENTION_S", default: 86_400, in: 1...31_536_000,
            "how long finished tasks are kept"
        )
        static let leaseS = IntegerVariable(
            "AGENTD_TASK_LEASE_S", default: 30, in: 1...86_400,
            "with Redis: a running task's lease, renewed while it runs; lapsed (its replica died), another replica runs it again"
        )
        static let maxAttempts = IntegerVariable(
            "AGENTD_TASK_MAX_ATTEMPTS", default: 5, in: 1...1000,
            "with Redis: runs of a task (takeovers, retryable upstream failures) before it fails for good"
        )
    }
}
