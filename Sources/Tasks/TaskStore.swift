import Dispatch
import Locks
import Resilience

/// The durable background tasks: their records, the queue in front of the workers, and the journal under them.
///
/// Owner: the `state` lock for everything in memory; the journal owns the file. A submission is acknowledged
/// only once its record is on disk (the journal's group commit shares one sync between concurrent ones). Journal
/// and executor callbacks come from other threads: the store never holds its lock while it calls out, except to
/// hand an event to a subscriber's sink (which only queues a write) and to queue a journal write (in the order of
/// the changes, which compaction relies on). Journal completions are taken over by `queue` before they touch the store.
public final class TaskStore: TaskStoring {
    public struct Settings: Sendable {
        /// AGENTD_TASK_WORKERS: tasks running at once.
        public var workers = 4
        /// AGENTD_TASK_QUEUE_MAX: tasks waiting for a worker before submissions get 503.
        public var queueMax = 1000
        /// AGENTD_TASK_RETENTION_S, in ms: how long a finished task stays.
        public var retentionMs: Int64 = 86_400_000
        /// The window for `Idempotency-Key` (docs/api.md, Idempotency keys): 24 h.
        public var idempotencyMs: Int64 = 86_400_000
        /// The journal is compacted when it is over this size and over twice what its live records take.
        public var compactionMinBytes = 4 << 20

        public init() {}
    }

    public typealias Submission = TaskSubmission

    struct State {
        var tasks: [String: TaskRecord] = [:]
        /// Ids in creation order (deleted ones are skipped and pruned), for newest-first listings.
        var order: [String] = []
        var pending = TaskQueue()
        /// Submissions written but not yet durable: they count against the queue bound.
        var reserved = 0
        /// The cancel of each running task (nil until its executor returned).
        var running: [String: (@Sendable () -> Void)?] = [:]
        /// `client NUL key` → task id.
        var idempotency: [String: String] = [:]
        /// The text a running task streamed so far, for subscribers that join late.
        var partial: [String: String] = [:]
        var subscribers: [String: [Int: @Sendable (TaskEvent) -> Void]] = [:]
        var nextSubscriber = 0
        /// Each live record's last journal payload size, for the compaction decision.
        var payloadBytes: [String: Int] = [:]
        var liveBytes = 0
        var stopping = false
        /// Shut down: the runs still going are left to run again after the restart; nothing they report counts.
        var abandoned = false
        var compacting = false
    }

    let settings: Settings
    let journal: any TaskJournaling
    let executor: any TaskExecutor
    let webhooks: (any TaskWebhookDelivering)?
    let observer: (any TaskStoreObserver)?
    let clock: any TimeSource
    let state = Locked(State())
    let queue = DispatchQueue(label: "agentd.tasks")

    /// Rebuilds the store from the journal's records (`Journal.open`'s replay): tasks that were pending or running
    /// when the process stopped are queued again, oldest first. Call `start()` to let workers take them.
    public init(
        journal: any TaskJournaling, replayed payloads: [[UInt8]], settings: Settings, clock: any TimeSource,
        executor: any TaskExecutor, webhooks: (any TaskWebhookDelivering)? = nil, observer: (any TaskStoreObserver)? = nil
    ) {
        self.journal = journal
        self.settings = settings
        self.clock = clock
        self.executor = executor
        self.webhooks = webhooks
        self.observer = observer
        var replayed = State()
        for payload in payloads {
            switch TaskJournalEntry(payload: payload) {
            case .put(let record)?:
                if replayed.tasks.updateValue(record, forKey: record.id) == nil { replayed.order.append(record.id) }
                replayed.track(record.id, bytes: payload.count)
            case .delete(let id)?:
                replayed.tasks[id] = nil
                replayed.track(id, bytes: nil)
            case nil:
                continue
            }
        }
        replayed.order.removeAll { replayed.tasks[$0] == nil }
        // In the order they were submitted (the journal's order), oldest first.
        let unfinished = replayed.order.compactMap { replayed.tasks[$0] }.filter { !$0.status.isFinal }
        for var record in unfinished {
            record.status = .pending
            replayed.tasks[record.id] = record
            replayed.pending.push(record.id)
        }
        for record in replayed.tasks.values {
            if let key = record.idempotencyKey { replayed.idempotency[TaskStore.idempotencySlot(record.client, key)] = record.id }
        }
        state.withLock { $0 = replayed }
    }

    /// Starts the workers on the replayed queue and re-sends webhooks a restart cut short.
    public func start() {
        let undelivered = state.withLock { state in
            state.tasks.values.filter { $0.status.isFinal && $0.input.callbackURL != nil && $0.webhook?.name == "pending" }
        }
        for record in undelivered { deliverWebhook(record) }
        pump()
    }

    /// Queues a new task; `completion` runs once, after the record is durable (or could not be made so).
    public func submit(
        _ input: TaskInput, model: String, client: String?, idempotencyKey: String?,
        completion: @escaping @Sendable (Submission) -> Void
    ) {
        let now = clock.nowUnixMs
        let decision = state.withLock { state -> Submission? in
            if let key = idempotencyKey, let id = state.idempotency[TaskStore.idempotencySlot(client, key)],
                let earlier = state.tasks[id], now - earlier.createdAtMs < settings.idempotencyMs {
                return .existing(earlier)
            }
            if state.stopping { return .unavailable(reason: "shutting down") }
            guard journal.isWritable else { return .unavailable(reason: "the task journal cannot be written") }
            guard state.pending.count + state.reserved < settings.queueMax else { return .queueFull }
            let record = TaskRecord(
                id: TaskStore.makeID(), createdAtMs: now, input: input, model: model, client: client, idempotencyKey: idempotencyKey
            )
            state.tasks[record.id] = record
            state.order.append(record.id)
            state.reserved += 1
            if let key = idempotencyKey { state.idempotency[TaskStore.idempotencySlot(client, key)] = record.id }
            let payload = TaskJournalEntry.put(record).payload
            state.track(record.id, bytes: payload.count)
            journal.write([payload]) { [self] durable in
                queue.async { [self] in acknowledge(record, durable: durable, completion: completion) }
            }
            return nil
        }
        if let decision { completion(decision) }
    }

    private func acknowledge(_ record: TaskRecord, durable: Bool, completion: @Sendable (Submission) -> Void) {
        state.withLock { state in
            state.reserved -= 1
            if durable {
                state.pending.push(record.id)
            } else {
                state.tasks[record.id] = nil
                state.track(record.id, bytes: nil)
                if let key = record.idempotencyKey { state.idempotency[TaskStore.idempotencySlot(record.client, key)] = nil }
            }
        }
        completion(durable ? .accepted(record) : .unavailable(reason: "the task journal cannot be written"))
        if durable { pump() }
    }

    public func record(_ id: String) -> TaskRecord? { state.withLock { $0.tasks[id] } }

    /// Newest first, at most `limit`, only `status` when given, only `client`'s when given.
    public func list(status: TaskStatus?, limit: Int, client: String? = nil) -> [TaskRecord] {
        state.withLock { state in
            if state.order.count > 2 * state.tasks.count + 1024 { state.order.removeAll { state.tasks[$0] == nil } }
            var found: [TaskRecord] = []
            for id in state.order.reversed() {
                guard let record = state.tasks[id], status == nil || record.status == status,
                    client == nil || record.client == client
                else { continue }
                found.append(record)
                if found.count == limit { break }
            }
            return found
        }
    }

    /// Tasks by status, and how many wait for a worker (the scrape-time gauges).
    public var counts: (byStatus: [TaskStatus: Int], queued: Int) {
        state.withLock { state in
            var byStatus: [TaskStatus: Int] = [:]
            for record in state.tasks.values { byStatus[record.status, default: 0] += 1 }
            return (byStatus, state.pending.count)
        }
    }

    public var isWritable: Bool { journal.isWritable }

    static func idempotencySlot(_ client: String?, _ key: String) -> String { (client ?? "") + "\u{0}" + key }

    /// `task_` and 24 hex digits (96 random bits).
    public static func makeID() -> String {
        var random = SystemRandom()
        var id = "task_"
        for _ in 0..<2 {
            let word = random.next()
            let hex = String(word, radix: 16)
            id += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return String(id.prefix(5 + 24))
    }
}

extension TaskStore.State {
    /// Keeps `liveBytes` the sum of each live record's last payload size; nil: the record is gone.
    mutating func track(_ id: String, bytes: Int?) {
        liveBytes -= payloadBytes[id] ?? 0
        payloadBytes[id] = bytes
        liveBytes += bytes ?? 0
    }
}
