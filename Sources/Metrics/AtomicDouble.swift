import Synchronization

/// A `Double` that any thread may read and update without a lock.
///
/// Owner: the value lives in an `Atomic<UInt64>` holding the IEEE 754 bit pattern; every update is a
/// compare-exchange loop on those bits, so concurrent additions are never lost. It never takes a lock.
/// It is noncopyable because an atomic must stay at one address: it lives inside the class that holds it.
/// Orderings are relaxed: a metric is a statistic, nothing else is published through it.
struct AtomicDouble: ~Copyable, Sendable {
    private let bits: Atomic<UInt64>

    init(_ value: Double = 0) {
        bits = Atomic(value.bitPattern)
    }

    /// The current value.
    var value: Double {
        Double(bitPattern: bits.load(ordering: .relaxed))
    }

    /// Replaces the value.
    func store(_ value: Double) {
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    /// Adds `amount` (negative to subtract); a lost race retries with the value that won it.
    func add(_ amount: Double) {
        var expected = bits.load(ordering: .relaxed)
        while true {
            let desired = (Double(bitPattern: expected) + amount).bitPattern
            let (exchanged, original) = bits.weakCompareExchange(
                expected: expected,
                desired: desired,
                successOrdering: .relaxed,
                failureOrdering: .relaxed
            )
            if exchanged { return }
            expected = original
        }
    }
}
