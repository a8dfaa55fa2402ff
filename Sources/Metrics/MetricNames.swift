/// The naming rules of Prometheus metric and label names, checked by precondition at registration.
///
/// Data model: https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels
/// Metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`; label names match `[a-zA-Z_][a-zA-Z0-9_]*` and must not
/// start with `__` (reserved for Prometheus itself). Pure functions, no state.
enum MetricNames {
    /// Whether `name` is a valid metric name.
    static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let valid = isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                || (!first && isDigit(byte))
            if !valid { return false }
            first = false
        }
        return !first
    }

    /// Whether `name` is a valid label name (reserved `__` names excluded).
    static func isValidLabelName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let valid = isLetter(byte) || byte == UInt8(ascii: "_") || (!first && isDigit(byte))
            if !valid { return false }
            first = false
        }
        return !first && !name.utf8.starts(with: "__".utf8)
    }

    /// Stops the process with a message that teaches the rule when `name` or a label name is invalid or a
    /// label name repeats.
    static func preconditionValid(name: String, help: String, labelNames: [String]) {
        precondition(
            isValidMetricName(name),
            "metric name '\(name)' is invalid: Prometheus metric names match [a-zA-Z_:][a-zA-Z0-9_:]*"
        )
        precondition(
            !help.isEmpty,
            "metric '\(name)' needs help text: `promtool check metrics` reports a family without it"
        )
        for labelName in labelNames {
            precondition(
                isValidLabelName(labelName),
                "label name '\(labelName)' of metric '\(name)' is invalid: label names match "
                    + "[a-zA-Z_][a-zA-Z0-9_]* and must not start with '__' (reserved for Prometheus)"
            )
        }
        precondition(
            Set(labelNames).count == labelNames.count,
            "metric '\(name)' repeats a label name in \(labelNames): each label name may appear once"
        )
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
