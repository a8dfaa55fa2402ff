/// Durable background tasks, from the environment (docs/api.md, Tasks).
struct TaskSettings: Sendable {
    var dataDirectory: String = Configuration.Variable.dataDirectory.defaultValue
    var workers: Int = Configuration.Variable.taskWorkers.defaultValue
    var queueMax: Int = Configuration.Variable.taskQueueMax.defaultValue
    var retentionS: Int = Configuration.Variable.taskRetentionS.defaultValue
    /// AGENTD_WEBHOOK_SECRET: signs webhooks; secret, never printed.
    var webhookSecret: String?
    /// AGENTD_JOURNAL_SYNC: `group` (one fsync shared by concurrent submissions) or `each` (one per record; the
    /// benchmark's reference, never faster).
    var groupCommit: Bool = Configuration.Variable.journalSync.defaultValue
    /// AGENTD_TASK_LEASE_S (Redis): a running task's lease, renewed while it runs; lapsed, another replica takes it.
    var leaseS: Int = Configuration.Variable.taskLeaseS.defaultValue
    /// AGENTD_TASK_MAX_ATTEMPTS (Redis): runs of a task (takeovers and retryable failures) before it fails for good.
    var maxAttempts: Int = Configuration.Variable.taskMaxAttempts.defaultValue
}
