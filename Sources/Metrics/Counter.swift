import Synchronization

/// One counter series: a value that only goes up, updated from any thread without a lock.
///
/// Owner: the value lives in striped cells (`StripedCells`): whole increments (the common `increment()`) go
/// to an integer cell with one atomic add on the calling thread's stripe, fractional ones to a `Double` cell;
/// the value is the sum over stripes. Its sample bytes (`name{labels} `) are rendered once at creation.
/// Handles are cached by the family: resolve the label values once and keep the `Counter`.
public final class Counter: Sendable {
    /// The label values of this series, in the family's label name order.
    public let labelValues: [String]
    public let samplePrefix: [UInt8]
    /// Cell 0: whole increments; cell 1: fractional ones, as Double bits.
    private let cells = StripedCells(cellsPerStripe: 2)

    public init(labelValues: [String], samplePrefix: [UInt8]) {
        self.labelValues = labelValues
        self.samplePrefix = samplePrefix
    }

    /// Adds one: a single atomic add on the calling thread's stripe.
    public func increment() {
        cells.add(0, 1)
    }

    /// Adds `amount`, which must not be negative (a counter that goes down is a gauge).
    public func increment(by amount: Double) {
        precondition(amount >= 0, "a counter only goes up: increment(by:) needs a non-negative amount, got \(amount); use a Gauge for values that go down")
        if let whole = UInt64(exactly: amount) {
            cells.add(0, whole)
        } else {
            cells.addDouble(1, amount)
        }
    }

    /// The current value.
    public var value: Double {
        Double(cells.sum(0)) + cells.sumDouble(1)
    }
}
