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

/// A clock that moves only when told to, for tests. Owner: none; the reading sits behind a lock.
public final class ManualClock: MonotonicClock {
    private let reading: Locked<Int64>

    public init(startMs: Int64 = 1_000_000) { reading = Locked(startMs) }

    public var nowMs: Int64 { reading.withLock { $0 } }

    public func advance(byMs milliseconds: Int64) {
        precondition(milliseconds >= 0, "a monotonic clock never goes back")
        reading.withLock { $0 += milliseconds }
    }
}
