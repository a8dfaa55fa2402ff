/// A counter family: a name, help text, label names, and one `Counter` per label value tuple.
///
/// Unlabelled families have exactly one series, created at registration and reached with `series`
/// (`registry.counter("jobs_total", help: "…").series.increment()`); labelled ones create theirs on first
/// `labels(…)`. Owner of the series: its `SeriesTable`.
public final class CounterFamily: ExposedFamily {
    public let name: String
    public let help: String
    public var labelNames: [String] { table.labelNames }
    var type: MetricType { .counter }
    private let header: [UInt8]
    private let table: SeriesTable<Counter>
    private let unlabelledSeries: Counter?

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        header = TextFormat.header(name: name, help: help, type: .counter)
        table = SeriesTable(familyName: name, labelNames: labelNames) { values in
            Counter(
                labelValues: values,
                samplePrefix: TextFormat.samplePrefix(name: name, labels: zip(labelNames, values).map { (name: $0, value: $1) })
            )
        }
        unlabelledSeries = labelNames.isEmpty ? table.series(for: []) : nil
    }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: String...) -> Counter { table.series(for: values) }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: [String]) -> Counter { table.series(for: values) }

    /// The one series of a family registered without labels.
    public var series: Counter {
        guard let unlabelledSeries else {
            preconditionFailure("counter '\(name)' has labels \(labelNames): pick its series with labels(…)")
        }
        return unlabelledSeries
    }

    func write(into writer: inout MetricsWriter) {
        writer.beginFamily(name: name, header: header)
        for counter in table.snapshot() {
            writer.appendSample(prefix: counter.samplePrefix, value: counter.value)
        }
    }
}
