/// Byte rendering for the Prometheus text exposition format 0.0.4: escaping, numbers, sample prefixes.
///
/// Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
/// `# HELP` text escapes `\` and line feed; label values also escape `"`. Numbers follow Go's
/// `ParseFloat` spellings: `+Inf`, `-Inf`, `NaN`; integers print without a fraction. Pure functions.
/// Families and series render their constant bytes (header, `name{labels} `) once with these helpers,
/// so a scrape only formats the numbers.
enum TextFormat {
    /// Whole integers up to this magnitude print as integers: every such `Double` is exact in an `Int64`.
    static let largestIntegerPrintedWithoutExponent: Double = 9_007_199_254_740_992  // 2^53

    /// `# HELP name help\n# TYPE name type\n`.
    static func header(name: String, help: String, type: MetricType) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(contentsOf: "# HELP ".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: " "))
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(contentsOf: "\n# TYPE ".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: type.text.utf8)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// `name{label="value",…} ` (no braces when there are no labels), ready for the value.
    static func samplePrefix(name: String, labels: some Sequence<(name: String, value: String)>) -> [UInt8] {
        var bytes = Array(name.utf8)
        var first = true
        for label in labels {
            bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            bytes.append(contentsOf: label.name.utf8)
            bytes.append(contentsOf: "=\"".utf8)
            appendEscapedLabelValue(label.value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        if !first { bytes.append(UInt8(ascii: "}")) }
        bytes.append(UInt8(ascii: " "))
        return bytes
    }

    /// Appends `value` with `\`, `"` and line feed escaped.
    static func appendEscapedLabelValue(_ value: String, to bytes: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
            default: bytes.append(byte)
            }
        }
    }

    /// The text of `value` as Prometheus parses it: `+Inf`, `-Inf`, `NaN`, `42`, `0.25`, `1e-06`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(.towardZero) && value.magnitude <= largestIntegerPrintedWithoutExponent {
            return String(Int64(value))
        }
        return value.description
    }

    /// Appends the text of `value` (see `number`).
    static func appendNumber(_ value: Double, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: number(value).utf8)
    }

    /// Appends the decimal digits of `value`.
    static func appendNumber(_ value: UInt64, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(value).utf8)
    }
}
