/// The seam between the task routes and where tasks live (docs/api.md, Tasks; README.md, "Tasks across
/// replicas (Redis)").
///
/// Two stores implement it: `TaskStore` (one agentd: records in memory, a journal on local disk) and the Redis
/// task store (N replicas: records, queue, leases and events in one Redis). Everything is completion based,
/// like the server: a completion may run at once on the caller's thread or later on another one, and never
/// while the store holds a lock the caller could need.
public protocol TaskStoring: AnyObject, Sendable {
    /// Queues a new task; `completion` runs once, after the record is durable (or could not be made so).
    func submit(
        _ input: TaskInput, model: String, client: String?, idempotencyKey: String?,
        completion: @escaping @Sendable (TaskSubmission) -> Void
    )
    /// The task's record, or nil when there is no such task.
    func read(_ id: String, completion: @escaping @Sendable (Result<TaskRecord?, TaskStoreUnavailable>) -> Void)
    /// Newest first, at most `limit`, only `status` when given, only `client`'s when given.
    func list(
        status: TaskStatus?, limit: Int, client: String?,
        completion: @escaping @Sendable (Result<[TaskRecord], TaskStoreUnavailable>) -> Void
    )
    /// Cancels the task if it is pending or running (on whichever replica runs it), then deletes it; the last
    /// record, or nil when there was no such task.
    func delete(_ id: String, completion: @escaping @Sendable (Result<TaskRecord?, TaskStoreUnavailable>) -> Void)
    /// Follows a task: `sink` gets its record and the text it streamed so far first, then every event until a
    /// final status, in order, nothing missed or repeated in between. `sink` must only queue work (it may run
    /// under the store's lock).
    func follow(
        _ id: String, sink: @escaping @Sendable (TaskEvent) -> Void,
        completion: @escaping @Sendable (Result<TaskFollowing, TaskStoreUnavailable>) -> Void
    )
    /// The queue as the health report and the gauges show it (may be a recent reading refreshed in the background).
    var stats: TaskQueueStats { get }
    /// Why submissions cannot be stored now, for readiness; nil when they can (a Redis outage is not a reason:
    /// docs/api.md, GET /health/ready, keeps readiness out of shared outages, and `submit` answers 503 by itself).
    var notWritableReason: String? { get }
    /// Starts the workers (and whatever the store does in the background).
    func start()
    /// No new task starts or is accepted from now on.
    func beginShutdown()
    /// Running tasks get `graceMs` to finish; the rest are left to run again (after a restart, or at once on
    /// another replica). Returns whether every running task finished in time.
    func shutdown(graceMs: Int) -> Bool
}

/// How a submission went.
public enum TaskSubmission: Sendable {
    /// Stored and queued: 202.
    case accepted(TaskRecord)
    /// The same `Idempotency-Key` within 24 h: the earlier task, 200.
    case existing(TaskRecord)
    /// The queue is full: 503 with `Retry-After`.
    case queueFull
    /// Nothing could be stored (the journal cannot write, Redis is unreachable, shutting down): 503, nothing acknowledged.
    case unavailable(reason: String)
}

/// The store could not be read or written now (Redis unreachable or slow): 503 with `Retry-After`.
public struct TaskStoreUnavailable: Error, Sendable, Equatable {
    public let reason: String

    public init(reason: String) { self.reason = reason }
}

/// What `follow` found.
public enum TaskFollowing: Sendable {
    /// No such task (nothing was sent to the sink).
    case notFound
    /// The task had finished: its record, sent to the sink, was the whole story.
    case ended
    /// Events keep coming until a final status; `stop` ends the subscription early (the client left).
    case following(stop: @Sendable () -> Void)
}

/// The queue at a glance: `/health`'s task component and the task gauges.
public struct TaskQueueStats: Sendable, Equatable {
    /// Tasks by status: this store's, or every replica's when `shared`.
    public var byStatus: [TaskStatus: Int] = [:]
    /// Tasks waiting for a worker.
    public var queued = 0
    /// How long the oldest waiting task has waited, in ms; nil when none waits.
    public var oldestPendingAgeMs: Int64?
    /// Tasks this process runs now.
    public var runningHere = 0
    /// The counts are every replica's (Redis), not this process' alone.
    public var shared = false

    public init() {}
}
