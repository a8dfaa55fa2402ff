/// The kind of a metric family, as the `# TYPE` line of the text format spells it.
///
/// Text format 0.0.4: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
public enum MetricType: Sendable, Equatable {
    /// A value that only goes up (resets to zero when the process restarts); the name should end in `_total`.
    case counter
    /// A value that goes up and down.
    case gauge
    /// Cumulative `_bucket{le="…"}` samples ending with `le="+Inf"`, then `_sum` and `_count`.
    case histogram

    /// The word the `# TYPE` line uses.
    public var text: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        }
    }

    /// The sample name suffixes a family of this type may write (the empty suffix is the family name itself).
    var sampleSuffixes: [String] {
        switch self {
        case .counter, .gauge: [""]
        case .histogram: ["_bucket", "_sum", "_count"]
        }
    }
}
