import Dispatch
import JSON
import Locks
import Logging
import Redis
import Resilience
import Security
import Tasks

/// The task store of N replicas: records, the queue, idempotency keys, listings, events and webhook state in
/// one Redis (README.md, "Tasks across replicas (Redis)"; the keys and each step are in `RedisTaskScripts`).
///
/// Every replica's workers read one stream through one consumer group (a consumer per replica). A running
/// task's entry stays unacknowledged: its idle time is the lease, renewed while the task runs; each replica's
/// janitor claims entries idle past the lease (`XAUTOCLAIM`) and runs them again. The entry is acknowledged
/// once the final record (and its webhook's outcome) is stored.
///
/// Owner: `state` (a lock) holds what this replica holds (runs and webhook deliveries, by task id), its worker
/// slots and its phase; Redis owns everything else. Three connections: `client` (commands, shared with the
/// rest of agentd), `queueClient` (the blocking read of the queue, on a connection of its own) and
/// `subscriber` (events and cancellations). Timers run on `queue`.
public final class RedisTaskStore: TaskStoring {
    public struct Settings: Sendable {
        /// AGENTD_REPLICA_ID: this replica's consumer name in the queue.
        public var replica: String
        /// AGENTD_TASK_WORKERS: tasks this replica runs at once.
        public var workers = 4
        /// AGENTD_TASK_QUEUE_MAX: pending tasks (all replicas) before submissions get 503.
        public var queueMax = 1000
        public var retentionMs: Int64 = 86_400_000
        public var idempotencyMs: Int64 = 86_400_000
        /// AGENTD_TASK_LEASE_S, in ms: a run's entry idle longer than this is taken over.
        public var leaseMs = 30_000
        /// AGENTD_TASK_MAX_ATTEMPTS: deliveries of a task before it fails for good.
        public var maxAttempts = 5
        /// How long one blocking read of the queue waits for an entry.
        public var blockMs = 1000
        /// Text a run streams is written (and published) at most this often.
        public var textFlushMs = 100
        /// Finished tasks past their retention are forgotten this often.
        public var sweepIntervalMs = 60_000

        public init(replica: String) { self.replica = replica }

        /// The janitor looks for lapsed leases this often: a quarter of the lease, at most a second.
        var janitorIntervalMs: Int { max(50, min(1000, leaseMs / 4)) }
        /// Leases are renewed three times per lease.
        var renewIntervalMs: Int { max(50, leaseMs / 3) }
    }

    /// What this replica holds: a run, or the webhook delivery of a finished task.
    struct Held {
        enum Kind { case run, delivery }
        let kind: Kind
        let entry: String
        let attempt: Int
        var cancel: (@Sendable () -> Void)?
        /// What the run streamed and was not written yet, in order; `flushing` while a write is under way (one
        /// at a time, so pieces land in order).
        enum Piece { case text([UInt8]), tool(TaskToolEvent) }
        var pieces: [Piece] = []
        var flushing = false
        var flushScheduled = false
        /// Names the one flush that may run: a scheduled flush whose number is no longer this one was superseded
        /// (the run ended, so its text goes out now instead of after `textFlushMs`).
        var flushNumber = 0
        /// The run's end, waiting for the text write under way.
        var outcome: TaskOutcome?
    }

    struct State {
        var held: [String: Held] = [:]
        /// Runs plus slots reserved by a read of the queue under way.
        var slotsTaken = 0
        /// Entries taken whose start script is under way, or whose hand-back (taken while stopping) is: not held
        /// yet, not back in the queue yet. Shutdown waits for them.
        var starting = 0
        var reading = false
        var stopping = false
        /// Shut down: nothing that reports now counts (what was held has been handed back).
        var abandoned = false
        var stats = TaskQueueStats()
        var timers: [DispatchSourceTimer] = []
    }

    let settings: Settings
    let client: RedisClient
    let queueClient: RedisClient
    let subscriber: RedisSubscriber
    /// `<AGENTD_REDIS_PREFIX>tasks:`.
    let prefix: String
    let executor: any TaskExecutor
    let webhooks: (any TaskWebhookDelivering)?
    let observer: (any TaskStoreObserver)?
    let clock: any TimeSource
    let logger: Logger
    let state = Locked(State())
    let queue = DispatchQueue(label: "agentd.tasks.redis")

    /// `client` is agentd's command client (its connections hosted by the event loops); the store makes its two
    /// own connections from the same settings. Load `RedisTaskStore.scripts` on `client`.
    public init(
        settings: Settings, client: RedisClient, keyPrefix: String, executor: any TaskExecutor,
        webhooks: (any TaskWebhookDelivering)?, observer: (any TaskStoreObserver)?, clock: any TimeSource, logger: Logger,
        redisObserver: (any RedisObserver)? = nil
    ) throws(RedisError) {
        self.settings = settings
        self.client = client
        prefix = keyPrefix + "tasks:"
        self.executor = executor
        self.webhooks = webhooks
        self.observer = observer
        self.clock = clock
        self.logger = logger
        var queueSettings = client.settings
        queueSettings.connections = 1
        queueSettings.scripts = []
        // The blocking read waits `blockMs` on the server; the command deadline covers that plus the usual.
        queueSettings.timeoutMs = client.settings.timeoutMs + settings.blockMs
        queueClient = try RedisClient(settings: queueSettings, observer: redisObserver)
        subscriber = try RedisSubscriber(settings: client.settings, observer: redisObserver)
    }

    /// The scripts `client` should load on each connection.
    public static var scripts: [RedisScript] { RedisTaskScripts.all }

    // MARK: The routes' side

    public func submit(
        _ input: TaskInput, model: String, client submitter: String?, idempotencyKey: String?,
        completion: @escaping @Sendable (TaskSubmission) -> Void
    ) {
        let now = clock.nowUnixMs
        let record = TaskRecord(
            id: TaskStore.makeID(), createdAtMs: now, input: input, model: model, client: submitter, idempotencyKey: idempotencyKey
        )
        let slot = idempotencyKey.map { SHA256.hex(SHA256.hash(Array(((submitter ?? "") + "\u{0}" + $0).utf8))) } ?? ""
        let arguments: [[UInt8]] = [
            bytes(prefix), bytes(record.id), bytes(String(now)), record.journalJSON.serialized(), bytes(submitter ?? ""),
            bytes(slot), bytes(String(settings.idempotencyMs)), bytes(String(settings.queueMax)), bytes(model),
            record.webhook.map { $0.json.serialized() } ?? [],
        ]
        client.run(RedisTaskScripts.submit, keys: [], byteArguments: arguments, operation: "task_submit") { result in
            switch result {
            case .failure(let error):
                completion(.unavailable(reason: "the task queue (Redis) cannot be reached: \(error)"))
            case .success(let reply):
                let items = reply.arrayValue ?? []
                switch items.first?.integerValue {
                case 0?: completion(.accepted(record))
                case 1? where items.count == 2:
                    if let earlier = RedisTaskFields(flat: items[1])?.record {
                        completion(.existing(earlier))
                    } else {
                        completion(.unavailable(reason: "the earlier task of this Idempotency-Key cannot be read"))
                    }
                case 2?: completion(.queueFull)
                default: completion(.unavailable(reason: "unexpected reply to the submit script: \(reply)"))
                }
            }
        }
    }

    public func read(_ id: String, completion: @escaping @Sendable (Result<TaskRecord?, TaskStoreUnavailable>) -> Void) {
        readWithText(id) { result in completion(result.map { $0?.record }) }
    }

    /// The record and the text its running attempt streamed so far.
    func readWithText(
        _ id: String, completion: @escaping @Sendable (Result<(record: TaskRecord, text: [UInt8])?, TaskStoreUnavailable>) -> Void
    ) {
        client.run(RedisTaskScripts.read, keys: [], arguments: [prefix, id], operation: "task_read") { result in
            switch result {
            case .failure(let error):
                completion(.failure(RedisTaskStore.unreachable(error)))
            case .success(let reply):
                let items = reply.arrayValue ?? []
                guard items.count == 2, let record = RedisTaskFields(flat: items[0])?.record else {
                    completion(.success(nil))
                    return
                }
                completion(.success((record, items[1].bytes ?? [])))
            }
        }
    }

    public func list(
        status: TaskStatus?, limit: Int, client submitter: String?,
        completion: @escaping @Sendable (Result<[TaskRecord], TaskStoreUnavailable>) -> Void
    ) {
        var index = submitter.map { "idx:c:\($0.utf8.count):\($0)" } ?? "idx:all"
        if let status { index = submitter == nil ? "idx:s:\(status.rawValue)" : index + ":s:\(status.rawValue)" }
        client.run(RedisTaskScripts.list, keys: [], arguments: [prefix, index, String(limit)], operation: "task_list") { result in
            switch result {
            case .failure(let error):
                completion(.failure(RedisTaskStore.unreachable(error)))
            case .success(let reply):
                completion(.success((reply.arrayValue ?? []).compactMap { RedisTaskFields(flat: $0)?.record }))
            }
        }
    }

    public func delete(_ id: String, completion: @escaping @Sendable (Result<TaskRecord?, TaskStoreUnavailable>) -> Void) {
        let arguments = [prefix, id, String(clock.nowUnixMs)]
        client.run(RedisTaskScripts.delete, keys: [], arguments: arguments, operation: "task_delete") { [observer] result in
            switch result {
            case .failure(let error):
                completion(.failure(RedisTaskStore.unreachable(error)))
            case .success(let reply):
                let items = reply.arrayValue ?? []
                guard items.count == 2, let last = RedisTaskFields(flat: items[1])?.record else {
                    completion(.success(nil))
                    return
                }
                if last.status == .cancelled { observer?.taskFinished(.cancelled) }
                completion(.success(last))
            }
        }
    }

    public func follow(
        _ id: String, sink: @escaping @Sendable (TaskEvent) -> Void,
        completion: @escaping @Sendable (Result<TaskFollowing, TaskStoreUnavailable>) -> Void
    ) {
        let follower = TaskFollower(sink: sink)
        let token = Locked<RedisSubscriber.Token?>(nil)
        let subscriber = self.subscriber
        let stop: @Sendable () -> Void = {
            if let subscription = token.withLock({ token in defer { token = nil }; return token }) { subscriber.unsubscribe(subscription) }
        }
        subscriber.subscribe(prefix + "ev:" + id, handler: { [self] delivery in
            switch delivery {
            case .message(let bytes):
                guard let event = RedisTaskEvent.parse(bytes) else { return }
                follower.live(event)
                if follower.hasEnded { stop() }
            case .resubscribed:
                // Messages published while the subscriber was away are lost: the record says where things are.
                readWithText(id) { result in
                    switch result {
                    case .success(let found?): if follower.snapshot(found.record, text: found.text) { stop() }
                    case .success(nil): follower.snapshotOfDeleted()
                    case .failure: break
                    }
                }
            }
        }, ready: { [self] subscribed in
            switch subscribed {
            case .failure(let error):
                completion(.failure(TaskStoreUnavailable(reason: "the task events (Redis) cannot be followed: \(error)")))
            case .success(let subscription):
                token.withLock { $0 = subscription }
                readWithText(id) { result in
                    switch result {
                    case .failure(let failure):
                        stop()
                        completion(.failure(failure))
                    case .success(nil):
                        stop()
                        completion(.success(.notFound))
                    case .success(let found?):
                        if follower.snapshot(found.record, text: found.text) {
                            stop()
                            completion(.success(.ended))
                        } else {
                            completion(.success(.following(stop: stop)))
                        }
                    }
                }
            }
        })
    }

    /// The last counts read from Redis; each read starts the next one in the background (scrape-time gauges).
    public var stats: TaskQueueStats {
        let now = clock.nowUnixMs
        client.run(RedisTaskScripts.stats, keys: [], arguments: [prefix], operation: "task_stats") { [state] result in
            guard case .success(let reply) = result, let items = reply.arrayValue, items.count == 6 else { return }
            let counts = items.map { Int($0.integerValue ?? 0) }
            state.withLock { state in
                var stats = TaskQueueStats()
                stats.shared = true
                for (index, status) in [TaskStatus.pending, .running, .completed, .failed, .cancelled].enumerated() {
                    stats.byStatus[status] = counts[index]
                }
                stats.queued = counts[0]
                stats.oldestPendingAgeMs = counts[5] < 0 ? nil : max(0, now - Int64(counts[5]))
                state.stats = stats
            }
        }
        return state.withLock { state in
            var stats = state.stats
            stats.shared = true
            stats.runningHere = state.held.values.filter { $0.kind == .run }.count
            return stats
        }
    }

    /// Redis outages answer submissions 503 by themselves: readiness stays (docs/api.md, GET /health/ready).
    public var notWritableReason: String? { nil }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// The routes answer it 503 + `Retry-After`.
    static func unreachable(_ error: RedisError) -> TaskStoreUnavailable {
        TaskStoreUnavailable(reason: "the task store (Redis) cannot be reached: \(error)")
    }
}
