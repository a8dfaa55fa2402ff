/// A variable read as a whole number, declared once: `EnvironmentReader.read` takes its default and bounds from
/// here, the configuration's field starts at its default, and its `setting` row (`--help`, README.md's table,
/// docs/configuration.md) shows the same name, default, bounds and meaning.
struct IntegerVariable: Sendable {
    let name: String
    let defaultValue: Int
    let range: ClosedRange<Int>
    let summary: String

    init(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>, _ summary: String) {
        precondition(range.contains(defaultValue), "\(name)'s default is out of its own range")
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.summary = summary
    }

    var setting: Configuration.Setting {
        .init(name: name, defaultValue: String(defaultValue), summary: summary, accepted: "\(range.lowerBound)…\(range.upperBound)")
    }
}

/// A variable read as a decimal number, declared once (as `IntegerVariable`).
struct DecimalVariable: Sendable {
    let name: String
    let defaultValue: Double
    let range: ClosedRange<Double>
    let summary: String

    init(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>, _ summary: String) {
        precondition(range.contains(defaultValue), "\(name)'s default is out of its own range")
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.summary = summary
    }

    var setting: Configuration.Setting {
        .init(
            name: name, defaultValue: defaultValue.formatted, summary: summary,
            accepted: "\(range.lowerBound.formatted)…\(range.upperBound.formatted)"
        )
    }
}

extension EnvironmentReader {
    func read(_ variable: IntegerVariable) throws(ConfigurationError) -> Int {
        try integer(variable.name, default: variable.defaultValue, in: variable.range)
    }

    func read(_ variable: DecimalVariable) throws(ConfigurationError) -> Double {
        try decimal(variable.name, default: variable.defaultValue, in: variable.range)
    }
}
