import Dispatch
import Locks

#if canImport(Glibc)
import Glibc
#endif

/// Where agentd reads the time and waits: one abstraction with two readings and a timer, injected wherever time
/// matters, so that tests drive it (`ManualClock`) and run in microseconds without sleeping.
///
/// - `nowMs`: monotonic milliseconds from an arbitrary origin, for durations and deadlines (only differences between
///   two readings mean anything; a change of the system time does not move it).
/// - `nowUnixMs`: milliseconds since the Unix epoch, UTC, for the calendar (which UTC day it is, when a task was
///   created, how long until the next day).
/// - `schedule(afterMs:on:_:)`: one-shot waits (retry backoffs, reconnect delays, polls).
///   A timer holds its work until it runs, and a `ManualClock`'s may never run: work that calls back into a
///   long-lived owner of the clock captures it weakly, or the owner and its clock keep each other alive.
public protocol TimeSource: Sendable {
    var nowMs: Int64 { get }
    var nowUnixMs: Int64 { get }

    /// Runs `work` on `queue` once `milliseconds` have passed on this clock: a real timer for the system clock;
    /// for `ManualClock`, when a test advances it that far.
    func schedule(afterMs milliseconds: Int, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void)
}

extension TimeSource {
    public func schedule(afterMs milliseconds: Int, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void) {
        queue.asyncAfter(deadline: .now() + .milliseconds(max(0, milliseconds)), execute: work)
    }
}

/// The system's clocks: CLOCK_MONOTONIC and CLOCK_REALTIME, and Dispatch's timers.
public struct SystemClock: TimeSource {
    public init() {}

    public var nowMs: Int64 { Self.read(CLOCK_MONOTONIC) }
    public var nowUnixMs: Int64 { Self.read(CLOCK_REALTIME) }

    static func read(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told to, for tests: its timers run when `advance` reaches them, so a test of a
/// backoff or a cool-down takes no time and cannot be late. Both readings move together; `set(unixMs:)` moves the
/// calendar alone (it may go back, as a real wall clock may). Owner: `state` (the readings and the pending timers),
/// behind its lock.
public final class ManualClock: TimeSource {
    private struct State {
        var nowMs: Int64
        var nowUnixMs: Int64
        /// Scheduled work not yet due, in the order it was scheduled.
        var timers: [(dueMs: Int64, work: @Sendable () -> Void)] = []
    }

    private let state: Locked<State>

    public init(startMs: Int64 = 1_000_000, unixMs: Int64 = 1_800_000_000_000) {
        state = Locked(State(nowMs: startMs, nowUnixMs: unixMs))
    }

    public var nowMs: Int64 { state.withLock { $0.nowMs } }
    public var nowUnixMs: Int64 { state.withLock { $0.nowUnixMs } }

    /// Work scheduled and not yet run (tests: "a retry is waiting").
    public var pendingTimers: Int { state.withLock { $0.timers.count } }

    /// Sets the calendar reading only.
    public func set(unixMs: Int64) {
        state.withLock { $0.nowUnixMs = unixMs }
    }

    /// Moves time on, then runs every timer now due, earliest first, on the caller's thread (not on the queue it
    /// named: a test sees its effects when `advance` returns).
    public func advance(byMs milliseconds: Int64) {
        precondition(milliseconds >= 0, "a monotonic clock never goes back")
        let due = state.withLock { state -> [(dueMs: Int64, work: @Sendable () -> Void)] in
            state.nowMs += milliseconds
            state.nowUnixMs += milliseconds
            let now = state.nowMs
            let due = state.timers.filter { $0.dueMs <= now }
            state.timers.removeAll { $0.dueMs <= now }
            return due
        }
        for timer in due.sorted(by: { $0.dueMs < $1.dueMs }) { timer.work() }
    }

    /// No wait (0 ms or less) runs `work` on `queue` at once, as a real timer would; any other waits for `advance`.
    public func schedule(afterMs milliseconds: Int, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void) {
        guard milliseconds > 0 else { return queue.async(execute: work) }
        state.withLock { $0.timers.append((dueMs: $0.nowMs + Int64(milliseconds), work: work)) }
    }
}
