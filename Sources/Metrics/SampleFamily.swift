/// A series with one sample per scrape: a counter or a gauge.
public protocol SampleSeries: AnyObject, Sendable {
    /// `counter` or `gauge`: the family's `# TYPE`.
    static var type: MetricType { get }
    init(labelValues: [String], samplePrefix: [UInt8])
    /// `name{labels} `, rendered once at creation.
    var samplePrefix: [UInt8] { get }
    var value: Double { get }
}

extension Counter: SampleSeries {
    public static var type: MetricType { .counter }
}

extension Gauge: SampleSeries {
    public static var type: MetricType { .gauge }
}

/// A counter family: a name, help text, label names, and one `Counter` per label value tuple.
/// (`registry.counter("jobs_total", help: "…").series.increment()`.)
public typealias CounterFamily = SampleFamily<Counter>

/// A gauge family: a name, help text, label names, and one `Gauge` per label value tuple
/// (`registry.gauge("queue_depth", help: "…").series.set(3)`). For values computed at scrape time, prefer a
/// collector (`MetricsRegistry.addCollector`) over a gauge someone must remember to update.
public typealias GaugeFamily = SampleFamily<Gauge>

/// A family of counters or gauges: a name, help text, label names, and one series per label value tuple.
///
/// Unlabelled families have exactly one series, created at registration and reached with `series`; labelled
/// ones create theirs on first `labels(…)`. Owner of the series: its `SeriesTable`.
public final class SampleFamily<Series: SampleSeries>: ExposedFamily {
    public let name: String
    public let help: String
    public var labelNames: [String] { table.labelNames }
    var type: MetricType { Series.type }
    private let header: [UInt8]
    private let table: SeriesTable<Series>
    private let unlabelledSeries: Series?

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        header = TextFormat.header(name: name, help: help, type: Series.type)
        table = SeriesTable(familyName: name, labelNames: labelNames) { values in
            Series(
                labelValues: values,
                samplePrefix: TextFormat.samplePrefix(name: name, labels: zip(labelNames, values).map { (name: $0, value: $1) })
            )
        }
        unlabelledSeries = labelNames.isEmpty ? table.series(for: []) : nil
    }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: String...) -> Series { table.series(for: values) }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: [String]) -> Series { table.series(for: values) }

    /// The one series of a family registered without labels.
    public var series: Series {
        guard let unlabelledSeries else {
            preconditionFailure("\(Series.type) '\(name)' has labels \(labelNames): pick its series with labels(…)")
        }
        return unlabelledSeries
    }

    func write(into writer: inout MetricsWriter) {
        writer.beginFamily(name: name, header: header)
        for series in table.snapshot() {
            writer.appendSample(prefix: series.samplePrefix, value: series.value)
        }
    }
}
