/// A histogram family: a name, help text, label names, fixed buckets, and one `Histogram` per label tuple.
///
/// Unlabelled families have exactly one series, created at registration and reached with `series`
/// (`registry.histogram("job_seconds", help: "…", buckets: Histogram.defaultSecondsBuckets).series.observe(0.2)`);
/// labelled ones create theirs on first `labels(…)`. Every series shares the family's buckets. Owner of
/// the series: its `SeriesTable`.
public final class HistogramFamily: ExposedFamily {
    public let name: String
    public let help: String
    public var labelNames: [String] { table.labelNames }
    /// The finite bucket upper bounds, strictly increasing; the `+Inf` bucket is implicit.
    public let buckets: [Double]
    var type: MetricType { .histogram }
    private let header: [UInt8]
    private let table: SeriesTable<Histogram>
    private let unlabelledSeries: Histogram?

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        self.buckets = buckets
        header = TextFormat.header(name: name, help: help, type: .histogram)
        table = SeriesTable(familyName: name, labelNames: labelNames) { values in
            Histogram(
                labelValues: values,
                upperBounds: buckets,
                familyName: name,
                labelPairs: zip(labelNames, values).map { (name: $0, value: $1) }
            )
        }
        unlabelledSeries = labelNames.isEmpty ? table.series(for: []) : nil
    }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: String...) -> Histogram { table.series(for: values) }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: [String]) -> Histogram { table.series(for: values) }

    /// The one series of a family registered without labels.
    public var series: Histogram {
        guard let unlabelledSeries else {
            preconditionFailure("histogram '\(name)' has labels \(labelNames): pick its series with labels(…)")
        }
        return unlabelledSeries
    }

    func write(into writer: inout MetricsWriter) {
        writer.beginFamily(name: name, header: header)
        for histogram in table.snapshot() {
            let counts = histogram.cumulativeBucketCounts
            for (prefix, count) in zip(histogram.bucketPrefixes, counts) {
                writer.appendSample(prefix: prefix, count: count)
            }
            writer.appendSample(prefix: histogram.sumPrefix, value: histogram.sum)
            writer.appendSample(prefix: histogram.countPrefix, count: counts.last ?? 0)
        }
    }

    /// Stops with a message that teaches the rule unless `buckets` are finite and strictly increasing.
    static func preconditionValid(buckets: [Double], name: String) {
        for (index, bound) in buckets.enumerated() {
            precondition(bound.isFinite, "histogram '\(name)' has bucket \(bound): bounds must be finite; the +Inf bucket is always added")
            if index > 0 {
                precondition(bound > buckets[index - 1], "histogram '\(name)' buckets \(buckets) must be strictly increasing")
            }
        }
    }
}
