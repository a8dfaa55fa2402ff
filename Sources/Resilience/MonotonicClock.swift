import Dispatch
import Locks

#if canImport(Glibc)
import Glibc
#endif

/// Where the resilience primitives read the time: monotonic milliseconds, from an arbitrary origin.
///
/// Injected so that tests drive time (`ManualClock`) and run in microseconds without sleeping.
/// Only differences between two readings mean anything.
public protocol MonotonicClock: Sendable {
    var nowMs: Int64 { get }

    /// Runs `work` on `queue` once `milliseconds` have passed on this clock: a real timer for the system clock;
    /// for `ManualClock`, when a test advances it that far. Waits that tests must not sleep through (retry
    /// backoffs) are scheduled here rather than on a queue directly.
    func schedule(afterMs milliseconds: Int, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void)
}

extension MonotonicClock {
    public func schedule(afterMs milliseconds: Int, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void) {
        queue.asyncAfter(deadline: .now() + .milliseconds(max(0, milliseconds)), execute: work)
    }
}

/// CLOCK_MONOTONIC: unaffected by changes of the wall clock.
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}

    public var nowMs: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told to, for tests: its timers run when `advance` reaches them, so a test of a
/// backoff or a cool-down takes no time and cannot be late. Owner: `state` (the reading and the pending timers),
/// behind its lock.
public final class ManualClock: MonotonicClock {
    private struct State {
        var nowMs: Int64
        /// Scheduled work not yet due, in the order it was scheduled.
        var timers: [(dueMs: Int64, work: @Sendable () -> Void)] = []
    }

    private let state: Locked<State>

    public init(startMs: Int64 = 1_000_000) { state = Locked(State(nowMs: startMs)) }

    public var nowMs: Int64 { state.withLock { $0.nowMs } }

    /// Work scheduled and not yet run (tests: "a retry is waiting").
    public var pendingTimers: Int { state.withLock { $0.timers.count } }

    /// Moves time on, then runs every timer now due, earliest first, on the caller's thread (not on the queue it
    /// named: a test sees its effects when `advance` returns).
    public func advance(byMs milliseconds: Int64) {
        precondition(milliseconds >= 0, "a monotonic clock never goes back")
        let due = state.withLock { state -> [(dueMs: Int64, work: @Sendable () -> Void)] in
            state.nowMs += milliseconds
            let now = state.nowMs
            let due = state.timers.filter { $0.dueMs <= now }
            state.timers.removeAll { $0.dueMs <= now }
            return due
        }
        for timer in due.sorted(by: { $0.dueMs < $1.dueMs }) { timer.work() }
    }

    public func schedule(afterMs milliseconds: Int, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void) {
        state.withLock { $0.timers.append((dueMs: $0.nowMs + Int64(max(0, milliseconds)), work: work)) }
    }
}
