/// A number a variable may hold: how the table shows it.
protocol VariableNumber: Comparable, Sendable {
    var shown: String { get }
}

extension Int: VariableNumber {
    var shown: String { String(self) }
}

extension Double: VariableNumber {
    var shown: String { formatted }
}

/// A variable read as a number, declared once: `EnvironmentReader.read` takes its default and bounds from here,
/// the configuration's field starts at its default, and its `setting` row (`--help`, README.md's table,
/// docs/configuration.md) shows the same name, default, bounds and meaning.
struct NumberVariable<Number: VariableNumber>: Sendable {
    let name: String
    let defaultValue: Number
    let range: ClosedRange<Number>
    let summary: String

    init(_ name: String, default defaultValue: Number, in range: ClosedRange<Number>, _ summary: String) {
        precondition(range.contains(defaultValue), "\(name)'s default is out of its own range")
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.summary = summary
    }

    var setting: Configuration.Setting {
        .init(name: name, defaultValue: defaultValue.shown, summary: summary, accepted: "\(range.lowerBound.shown)…\(range.upperBound.shown)")
    }
}

/// A whole-number variable (`AGENTD_PORT`).
typealias IntegerVariable = NumberVariable<Int>
/// A decimal variable (`AGENTD_RATE_LIMIT_RPS`).
typealias DecimalVariable = NumberVariable<Double>

extension EnvironmentReader {
    func read(_ variable: IntegerVariable) throws(ConfigurationError) -> Int {
        try integer(variable.name, default: variable.defaultValue, in: variable.range)
    }

    func read(_ variable: DecimalVariable) throws(ConfigurationError) -> Double {
        try decimal(variable.name, default: variable.defaultValue, in: variable.range)
    }
}
