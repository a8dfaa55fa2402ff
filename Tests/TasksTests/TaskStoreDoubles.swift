import Dispatch
import Locks
@testable import Tasks

/// A journal in memory: keeps every payload in order, answers on another thread like the real one, and can be
/// told to refuse writes (a full or read-only disk).
final class MemoryJournal: TaskJournaling {
    private struct State {
        var payloads: [[UInt8]] = []
        var writable = true
        var rewrites = 0
        var closed = false
    }

    private let state = Locked(State())
    private let queue = DispatchQueue(label: "memory-journal")

    init(payloads: [[UInt8]] = []) { state.withLock { $0.payloads = payloads } }

    var isWritable: Bool { state.withLock { $0.writable } }
    var sizeBytes: Int { state.withLock { $0.payloads.reduce(0) { $0 + $1.count + 8 } } }
    var payloads: [[UInt8]] { state.withLock { $0.payloads } }
    var rewrites: Int { state.withLock { $0.rewrites } }
    var closed: Bool { state.withLock { $0.closed } }

    func setWritable(_ writable: Bool) { state.withLock { $0.writable = writable } }

    func write(_ payloads: [[UInt8]], completion: @escaping @Sendable (Bool) -> Void) {
        let durable = state.withLock { state -> Bool in
            guard state.writable else { return false }
            state.payloads += payloads
            return true
        }
        queue.async { completion(durable) }
    }

    func rewrite(live: [[UInt8]], completion: @escaping @Sendable (Bool) -> Void) {
        state.withLock { state in
            state.payloads = live
            state.rewrites += 1
        }
        queue.async { completion(true) }
    }

    func close() { state.withLock { $0.closed = true } }
}

/// An executor whose runs end when the test says so; it records what it started and what was cancelled.
final class ScriptedExecutor: TaskExecutor {
    struct Run {
        let task: TaskRecord
        let onText: @Sendable (String) -> Void
        let completion: @Sendable (TaskOutcome) -> Void
        var cancelled = false
    }

    private let runs = Locked<[Run]>([])
    /// Answer at once with this text instead of waiting for `finish`.
    let immediateAnswer: String?

    init(immediateAnswer: String? = nil) { self.immediateAnswer = immediateAnswer }

    func execute(
        _ task: TaskRecord, onText: @escaping @Sendable (String) -> Void, completion: @escaping @Sendable (TaskOutcome) -> Void
    ) -> TaskRun {
        let index = runs.withLock { runs -> Int in
            runs.append(Run(task: task, onText: onText, completion: completion))
            return runs.count - 1
        }
        if let immediateAnswer {
            onText(immediateAnswer)
            completion(.completed(text: immediateAnswer, model: task.model, tokens: 3))
        }
        return TaskRun { [runs] in
            let run = runs.withLock { runs -> Run in
                runs[index].cancelled = true
                return runs[index]
            }
            run.completion(.failed(error: "cancelled", model: nil, tokens: 0))
        }
    }

    var started: [Run] { runs.withLock { $0 } }

    /// Drops every run and its callbacks.
    func forget() { runs.withLock { $0.removeAll() } }

    func run(for id: String) -> Run? { runs.withLock { $0.last { $0.task.id == id } } }

    func finish(_ id: String, text: String, tokens: Int = 5) {
        guard let run = run(for: id) else { return }
        run.onText(text)
        run.completion(.completed(text: text, model: run.task.model, tokens: tokens))
    }
}

/// Waits (bounded) for a condition another thread makes true.
func eventually(_ condition: () -> Bool, timeoutMs: Int = 5_000) -> Bool {
    let deadline = DispatchTime.now() + .milliseconds(timeoutMs)
    while DispatchTime.now() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

/// Submits and waits for the answer.
func submitAndWait(
    _ store: TaskStore, _ message: String, client: String? = "key1", idempotencyKey: String? = nil
) -> TaskStore.Submission? {
    let answer = Locked<TaskStore.Submission?>(nil)
    store.submit(TaskInput(message: message), model: "mock:echo", client: client, idempotencyKey: idempotencyKey) { submission in
        answer.withLock { $0 = submission }
    }
    _ = eventually { answer.withLock { $0 } != nil }
    return answer.withLock { $0 }
}

#if canImport(Glibc)
import Glibc
#endif
