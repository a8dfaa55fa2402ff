import Resilience
import Synchronization

/// A clock the test drives: milliseconds that move only when told to (or by `tick` per read, for
/// concurrency tests that want time to pass on its own).
final class TestClock: TimeSource {
    private let reading: Atomic<UInt64>
    private let tickMs: UInt64

    init(startMs: UInt64 = 1_000, tickMs: UInt64 = 0) {
        reading = Atomic(startMs)
        self.tickMs = tickMs
    }

    func advance(byMs milliseconds: UInt64) {
        reading.add(milliseconds, ordering: .relaxed)
    }

    /// The time, then `tickMs` later for the next reader.
    func read() -> UInt64 {
        reading.add(tickMs, ordering: .relaxed).oldValue
    }

    var nowMs: Int64 { Int64(read()) }

    /// The calendar moves with the monotonic reading, from a fixed day.
    var nowUnixMs: Int64 { 1_800_000_000_000 + nowMs }
}
