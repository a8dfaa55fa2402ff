/// A gauge family: a name, help text, label names, and one `Gauge` per label value tuple.
///
/// Unlabelled families have exactly one series, created at registration and reached with `series`
/// (`registry.gauge("queue_depth", help: "…").series.set(3)`); labelled ones create theirs on first
/// `labels(…)`. Owner of the series: its `SeriesTable`. For values computed at scrape time, prefer a
/// collector (`MetricsRegistry.addCollector`) over a gauge someone must remember to update.
public final class GaugeFamily: ExposedFamily {
    public let name: String
    public let help: String
    public var labelNames: [String] { table.labelNames }
    var type: MetricType { .gauge }
    private let header: [UInt8]
    private let table: SeriesTable<Gauge>
    private let unlabelledSeries: Gauge?

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        header = TextFormat.header(name: name, help: help, type: .gauge)
        table = SeriesTable(familyName: name, labelNames: labelNames) { values in
            Gauge(
                labelValues: values,
                samplePrefix: TextFormat.samplePrefix(name: name, labels: zip(labelNames, values).map { (name: $0, value: $1) })
            )
        }
        unlabelledSeries = labelNames.isEmpty ? table.series(for: []) : nil
    }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: String...) -> Gauge { table.series(for: values) }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: [String]) -> Gauge { table.series(for: values) }

    /// The one series of a family registered without labels.
    public var series: Gauge {
        guard let unlabelledSeries else {
            preconditionFailure("gauge '\(name)' has labels \(labelNames): pick its series with labels(…)")
        }
        return unlabelledSeries
    }

    func write(into writer: inout MetricsWriter) {
        writer.beginFamily(name: name, header: header)
        for gauge in table.snapshot() {
            writer.appendSample(prefix: gauge.samplePrefix, value: gauge.value)
        }
    }
}
