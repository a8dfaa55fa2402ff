import Synchronization

/// One counter series: a value that only goes up, updated from any thread without a lock.
///
/// Owner: the value is two atomics: whole increments (the common `increment()`) go to an integer with one
/// `wrappingAdd`, fractional ones to a `Double` with a compare-exchange loop; the value is their sum.
/// Its sample bytes (`name{labels} `) are rendered once at creation. Handles are cached by the family:
/// resolve the label values once and keep the `Counter`.
public final class Counter: Sendable {
    /// The label values of this series, in the family's label name order.
    public let labelValues: [String]
    let samplePrefix: [UInt8]
    @usableFromInline let wholeIncrements = Atomic<UInt64>(0)
    private let fractionalIncrements = AtomicDouble()

    init(labelValues: [String], samplePrefix: [UInt8]) {
        self.labelValues = labelValues
        self.samplePrefix = samplePrefix
    }

    /// Adds one: a single atomic add, inlined into the caller.
    @inlinable
    public func increment() {
        wholeIncrements.wrappingAdd(1, ordering: .relaxed)
    }

    /// Adds `amount`, which must not be negative (a counter that goes down is a gauge).
    @inlinable
    public func increment(by amount: Double) {
        precondition(amount >= 0, "a counter only goes up: increment(by:) needs a non-negative amount, got \(amount); use a Gauge for values that go down")
        add(amount)
    }

    @usableFromInline
    func add(_ amount: Double) {
        if let whole = UInt64(exactly: amount) {
            wholeIncrements.wrappingAdd(whole, ordering: .relaxed)
        } else {
            fractionalIncrements.add(amount)
        }
    }

    /// The current value.
    public var value: Double {
        Double(wholeIncrements.load(ordering: .relaxed)) + fractionalIncrements.value
    }
}
