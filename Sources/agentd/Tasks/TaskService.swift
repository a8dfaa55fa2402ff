import Dispatch
import Locks
import Logging
import Tasks

/// The task store's life in the process. The local store: its journal is replayed in the background after the
/// server listens (readiness says "replaying the task journal" meanwhile), then it serves until shutdown syncs
/// it. The Redis store: open at once (its state is in Redis), until shutdown hands its unfinished tasks back.
///
/// Owner: the `phase` lock. `POST /tasks` and readiness ask it where things are.
final class TaskService: Sendable {
    enum Phase: Sendable {
        case replaying
        case open(any TaskStoring)
        /// The journal could not be read at all: tasks are off, readiness stays false with this reason.
        case failed(String)
    }

    private let phase = Locked(Phase.replaying)
    /// Set by `beginShutdown`: a replay that ends after it closes its journal instead of starting the store.
    private let stopping = Locked(false)
    /// The retention sweep's timer, kept alive while the store is open.
    private let maintenance = Locked<DispatchSourceTimer?>(nil)

    /// Replays the journal in `settings.dataDirectory` and opens the store; `makeStore` wires its collaborators.
    func open(
        _ settings: TaskSettings, logger: Logger, makeStore: @escaping @Sendable (any TaskJournaling, [[UInt8]]) -> TaskStore
    ) {
        DispatchQueue(label: "agentd.tasks.replay").async { [self] in
            let startedNs = DispatchTime.now().uptimeNanoseconds
            do {
                let (journal, replay) = try Journal.open(directory: settings.dataDirectory, syncMode: settings.groupCommit ? .group : .each)
                let store = makeStore(journal, replay.payloads)
                let started = stopping.withLock { stopping -> Bool in
                    guard !stopping else { return false }
                    phase.withLock { $0 = .open(store) }
                    return true
                }
                guard started else {
                    journal.close()
                    return
                }
                store.start()
                maintenance.withLock { $0 = store.startMaintenance(intervalMs: min(60_000, settings.retentionS * 1000)) }
                let elapsedMs = Double(DispatchTime.now().uptimeNanoseconds - startedNs) / 1_000_000
                logger.log(journal.isWritable ? .info : .error, journal.isWritable ? "task journal replayed" : "task journal is not writable", [
                    "directory": .string(settings.dataDirectory), "records": .int(replay.payloads.count),
                    "discarded_bytes": .int(replay.discardedBytes), "ms": .double((elapsedMs * 10).rounded() / 10),
                    "queued": .int(store.stats.queued),
                ])
            } catch {
                phase.withLock { $0 = .failed("the task journal cannot be read") }
                logger.log(.error, "task journal cannot be read", ["directory": .string(settings.dataDirectory), "error": .string("\(error)")])
            }
        }
    }

    /// Opens a store whose state lives elsewhere (Redis): nothing to replay.
    func open(shared store: any TaskStoring) {
        let started = stopping.withLock { stopping -> Bool in
            guard !stopping else { return false }
            phase.withLock { $0 = .open(store) }
            return true
        }
        if started { store.start() }
    }

    var store: (any TaskStoring)? {
        if case .open(let store) = phase.withLock({ $0 }) { return store }
        return nil
    }

    /// Why tasks cannot be accepted now (readiness and `POST /tasks`), or nil when they can.
    var notReadyReason: String? {
        switch phase.withLock({ $0 }) {
        case .replaying: "replaying the task journal"
        case .failed(let reason): reason
        case .open(let store): store.notWritableReason
        }
    }

    /// No task starts or is accepted from now on (a replay still under way ends without starting the store).
    func beginShutdown() {
        stopping.withLock { stopping in
            stopping = true
            store?.beginShutdown()
        }
    }

    /// Running tasks get `graceMs` to finish (the rest run again after the restart); the journal is synced.
    func shutdown(graceMs: Int) -> Bool {
        maintenance.withLock { timer in
            timer?.cancel()
            timer = nil
        }
        guard let store else { return true }
        return store.shutdown(graceMs: graceMs)
    }
}
