/// One gauge series: a value that goes up and down, updated from any thread without a lock.
///
/// Owner: the value is an `AtomicDouble` (compare-exchange on its bit pattern). Its sample bytes
/// (`name{labels} `) are rendered once at creation; resolve the label values once and keep the `Gauge`.
public final class Gauge: Sendable {
    /// The label values of this series, in the family's label name order.
    public let labelValues: [String]
    public let samplePrefix: [UInt8]
    private let storage = AtomicDouble()

    public init(labelValues: [String], samplePrefix: [UInt8]) {
        self.labelValues = labelValues
        self.samplePrefix = samplePrefix
    }

    /// Replaces the value.
    public func set(_ value: Double) {
        storage.store(value)
    }

    /// Adds `amount`.
    public func increment(by amount: Double = 1) {
        storage.add(amount)
    }

    /// Subtracts `amount`.
    public func decrement(by amount: Double = 1) {
        storage.add(-amount)
    }

    /// The current value.
    public var value: Double {
        storage.value
    }
}
