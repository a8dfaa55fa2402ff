import Dispatch
import Synchronization
import Locks

/// Runs work at deadlines on a few serial queues: one timer per queue, never a timer or a thread per stream.
///
/// Owner: none; immutable. Each `TimerShard` owns its heap. 10,000 streams pausing 200 ms between chunks
/// cost a heap of 10,000 entries across the shards and one timer wake-up per batch of due entries.
final class TimerShards: Sendable {
    private let shards: [TimerShard]
    private let nextShard = Atomic<Int>(0)

    init(count: Int) {
        precondition(count > 0, "a scheduler needs at least one shard")
        shards = (0..<count).map { TimerShard(label: "mock-llm.timers.\($0)") }
    }

    /// A shard for one exchange, round robin: every step of one stream then runs on it, in order.
    func pick() -> TimerShard {
        shards[nextShard.wrappingAdd(1, ordering: .relaxed).oldValue % shards.count]
    }
}

/// A min-heap of deadlines behind a mutex, and one `DispatchSourceTimer` on a serial queue armed for the
/// earliest of them.
///
/// Owner: the mutex guards the heap and the armed deadline; the timer is re-armed only under it, so two threads
/// can never leave it armed later than the earliest entry. Scheduling from an event loop's `ready` callback is
/// a heap push under the lock, with no thread hop; due work runs on `queue` and must be quick (it formats a
/// chunk and hands it to an event loop).
final class TimerShard: @unchecked Sendable {
    /// The least time between two firings: entries due meanwhile wait for the next one, so work runs never
    /// early and at most a few milliseconds late, with a few hundred wake-ups a second at most.
    static let minimumSpacingNs: UInt64 = 2_000_000

    private struct Entry {
        let deadlineNs: UInt64
        /// Keeps equal deadlines in the order they were scheduled.
        let sequence: UInt64
        let work: @Sendable () -> Void

        func precedes(_ other: Entry) -> Bool {
            deadlineNs != other.deadlineNs ? deadlineNs < other.deadlineNs : sequence < other.sequence
        }
    }

    private struct State {
        var heap: [Entry] = []
        var sequence: UInt64 = 0
        var armedNs = UInt64.max
    }

    private let queue: DispatchQueue
    private let timer: DispatchSourceTimer
    private let state = Locked(State())

    init(label: String) {
        queue = DispatchQueue(label: label)
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.setEventHandler { [unowned self] in self.fire() }
        timer.schedule(deadline: .distantFuture)
        timer.activate()
    }

    /// Runs `work` on the shard's queue after `afterMs` milliseconds (soon, for 0). Safe from any thread.
    func run(afterMs: Int, _ work: @escaping @Sendable () -> Void) {
        guard afterMs > 0 else {
            queue.async(execute: work)
            return
        }
        let deadlineNs = DispatchTime.now().uptimeNanoseconds + UInt64(afterMs) * 1_000_000
        state.withLock { state in
            state.sequence &+= 1
            TimerShard.push(Entry(deadlineNs: deadlineNs, sequence: state.sequence, work: work), into: &state.heap)
            if deadlineNs < state.armedNs { arm(deadlineNs, &state) }
        }
    }

    private func fire() {
        var due: [@Sendable () -> Void] = []
        state.withLock { state in
            let nowNs = DispatchTime.now().uptimeNanoseconds
            while let first = state.heap.first, first.deadlineNs <= nowNs {
                due.append(TimerShard.popFirst(&state.heap).work)
            }
            if let first = state.heap.first {
                arm(max(first.deadlineNs, nowNs + TimerShard.minimumSpacingNs), &state)
            } else {
                state.armedNs = .max
            }
        }
        for work in due { work() }
    }

    private func arm(_ deadlineNs: UInt64, _ state: inout State) {
        state.armedNs = deadlineNs
        timer.schedule(deadline: DispatchTime(uptimeNanoseconds: deadlineNs), leeway: .milliseconds(1))
    }

    // MARK: Binary min-heap

    private static func push(_ entry: Entry, into heap: inout [Entry]) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popFirst(_ heap: inout [Entry]) -> Entry {
        let first = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
