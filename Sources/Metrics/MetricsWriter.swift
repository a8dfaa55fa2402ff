/// Builds one scrape's text exposition (format 0.0.4); collectors receive it to write their families.
///
/// Owner: the one `exposition()` call that made it (a value type); it never outlives the scrape.
/// A collector writes a family as `family(_:help:type:)` followed by its samples (`sample`), or a
/// single-series family with `counter`/`gauge`. The writer escapes help text and label values, spells
/// numbers the Prometheus way, and checks by precondition that each family name appears once per scrape
/// and that samples follow their family: two `# TYPE` lines for one name make the whole scrape fail.
/// Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
public struct MetricsWriter {
    /// The exposition written so far.
    private(set) var bytes: [UInt8]
    private var familyNames: Set<String> = []
    /// The family a collector's `sample` calls belong to; nil while a registered family writes itself.
    private var currentFamily: (name: String, type: MetricType)?

    init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Starts a family: writes its `# HELP` and `# TYPE` lines. Its samples follow with `sample`.
    public mutating func family(_ name: String, help: String, type: MetricType) {
        MetricNames.preconditionValid(name: name, help: help, labelNames: [])
        beginFamily(name: name, header: TextFormat.header(name: name, help: help, type: type))
        currentFamily = (name, type)
    }

    /// Writes one sample of the current family: `name[suffix]{labels} value`.
    ///
    /// `suffix` is empty for counters and gauges; histograms write `_bucket` (with an `le` label, cumulative,
    /// ending with `le="+Inf"`), `_sum` and `_count`. Label values may hold any text; they are escaped.
    public mutating func sample(_ value: Double, labels: KeyValuePairs<String, String> = [:], suffix: String = "") {
        guard let family = currentFamily else {
            preconditionFailure("MetricsWriter.sample needs a family first: call family(_:help:type:) before its samples")
        }
        precondition(
            family.type.sampleSuffixes.contains(suffix),
            "a \(family.type.text) sample of '\(family.name)' takes a suffix in \(family.type.sampleSuffixes), got '\(suffix)'"
        )
        for label in labels {
            precondition(
                MetricNames.isValidLabelName(label.key),
                "label name '\(label.key)' of metric '\(family.name)' is invalid: label names match "
                    + "[a-zA-Z_][a-zA-Z0-9_]* and must not start with '__'"
            )
        }
        let prefix = TextFormat.samplePrefix(
            name: family.name + suffix,
            labels: labels.lazy.map { (name: $0.key, value: $0.value) }
        )
        appendSample(prefix: prefix, value: value)
    }

    /// Writes a whole counter family of one unlabelled series.
    public mutating func counter(_ name: String, help: String, value: Double) {
        family(name, help: help, type: .counter)
        sample(value)
    }

    /// Writes a whole gauge family of one unlabelled series.
    public mutating func gauge(_ name: String, help: String, value: Double) {
        family(name, help: help, type: .gauge)
        sample(value)
    }

    /// Writes a registered family's pre-rendered header; its series then write themselves with `appendSample`.
    mutating func beginFamily(name: String, header: [UInt8]) {
        let (inserted, _) = familyNames.insert(name)
        precondition(
            inserted,
            "metric family '\(name)' is written twice in one scrape (a registered family and a collector, "
                + "or two collectors): each family name must be unique in the exposition"
        )
        currentFamily = nil
        bytes.append(contentsOf: header)
    }

    /// Appends `prefix` (a rendered `name{labels} `), the value and a line feed.
    mutating func appendSample(prefix: [UInt8], value: Double) {
        bytes.append(contentsOf: prefix)
        TextFormat.appendNumber(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Appends `prefix` (a rendered `name{labels} `), the count and a line feed.
    mutating func appendSample(prefix: [UInt8], count: UInt64) {
        bytes.append(contentsOf: prefix)
        TextFormat.appendNumber(count, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }
}
