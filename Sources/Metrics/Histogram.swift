/// One histogram series: observations counted into fixed buckets, updated from any thread without a lock.
///
/// Owner: one atomic count per bucket (the last one for `+Inf`) and the sum, in cells striped per thread
/// (`StripedCells`). An observation lands in the first bucket whose upper bound is ≥ the value (`le` is inclusive);
/// counts are stored per bucket and made cumulative when read, and `count` is their total, so a scrape's
/// `_count` always equals its `+Inf` bucket. Sample bytes are rendered once at creation.
/// Format: https://prometheus.io/docs/concepts/metric_types/#histogram
public final class Histogram: Sendable {
    /// Request latencies in seconds: 5 ms to one minute.
    public static let defaultSecondsBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// LLM call durations in seconds: 100 ms (a cached or tiny answer) to ten minutes (a long generation).
    public static let llmSecondsBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600]

    /// The label values of this series, in the family's label name order.
    public let labelValues: [String]
    /// The finite bucket upper bounds, strictly increasing; the `+Inf` bucket is implicit.
    public let upperBounds: [Double]
    /// Cells 0...upperBounds.count: per-bucket counts (the last is above every bound); then the sum, as Double
    /// bits. Striped per thread (`StripedCells`).
    private let cells: StripedCells
    /// `name_bucket{labels,le="bound"} ` per bucket, `+Inf` last.
    let bucketPrefixes: [[UInt8]]
    let sumPrefix: [UInt8]
    let countPrefix: [UInt8]

    init(labelValues: [String], upperBounds: [Double], familyName: String, labelPairs: [(name: String, value: String)]) {
        self.labelValues = labelValues
        self.upperBounds = upperBounds
        cells = StripedCells(cellsPerStripe: upperBounds.count + 2)
        bucketPrefixes = (upperBounds.map(TextFormat.number) + ["+Inf"]).map { bound in
            TextFormat.samplePrefix(name: familyName + "_bucket", labels: labelPairs + [(name: "le", value: bound)])
        }
        sumPrefix = TextFormat.samplePrefix(name: familyName + "_sum", labels: labelPairs)
        countPrefix = TextFormat.samplePrefix(name: familyName + "_count", labels: labelPairs)
    }

    /// Records one observation. NaN lands in the `+Inf` bucket (and makes the sum NaN), as in Prometheus' clients.
    public func observe(_ value: Double) {
        var index = 0
        // Linear: bucket lists are short, and the common (small) values stop early.
        while index < upperBounds.count && !(value <= upperBounds[index]) {
            index += 1
        }
        cells.add(index, 1)
        cells.addDouble(upperBounds.count + 1, value)
    }

    /// The number of observations.
    public var count: UInt64 {
        cumulativeBucketCounts.last ?? 0
    }

    /// The sum of the observations.
    public var sum: Double {
        cells.sumDouble(upperBounds.count + 1)
    }

    /// For each upper bound, the observations ≤ it; then the `+Inf` bucket (all observations).
    public var cumulativeBucketCounts: [UInt64] {
        var running: UInt64 = 0
        return (0...upperBounds.count).map { index in
            running &+= cells.sum(index)
            return running
        }
    }
}
