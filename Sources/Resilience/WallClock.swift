import Locks

#if canImport(Glibc)
import Glibc
#endif

/// Where the token budget reads the calendar: milliseconds since the Unix epoch, UTC.
///
/// Injected so that tests set the day and the hour (`ManualWallClock`) instead of waiting for midnight.
/// Only for calendar questions (which UTC day is it, how long until the next one); durations use a
/// `MonotonicClock`, which a change of the system time does not move.
public protocol WallClock: Sendable {
    var nowUnixMs: Int64 { get }
}

/// CLOCK_REALTIME: the system's time of day.
public struct SystemWallClock: WallClock {
    public init() {}

    public var nowUnixMs: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A wall clock that moves only when told to, for tests. Owner: none; the reading sits behind a lock.
public final class ManualWallClock: WallClock {
    private let reading: Locked<Int64>

    public init(unixMs: Int64) { reading = Locked(unixMs) }

    public var nowUnixMs: Int64 { reading.withLock { $0 } }

    /// Sets the time; it may go back, as a real wall clock may.
    public func set(unixMs: Int64) {
        reading.withLock { $0 = unixMs }
    }

    public func advance(byMs milliseconds: Int64) {
        reading.withLock { $0 += milliseconds }
    }
}
