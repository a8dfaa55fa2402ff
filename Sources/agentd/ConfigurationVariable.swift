import JSON

/// One variable of agentd's configuration, declared once (docs/configuration.md): its name, the `Configuration`
/// field it sets, its default, the values it accepts and what it does. From this one declaration come the reader
/// (`Configuration.load`), the field's starting value, the row `--help`, `agentd config --table`, README.md and
/// docs/configuration.md show, and the value `agentd config` prints. `Configuration.Variable` declares them all;
/// `Configuration.settings` lists their rows in order.
struct ConfigurationVariable<Value: Sendable>: Sendable {
    typealias Field = WritableKeyPath<Configuration, Value> & Sendable

    let name: String
    let field: Field
    let defaultValue: Value
    /// The default as the table shows it (`<host name>` for one computed at start).
    let shownDefault: String
    /// The accepted values as the table shows them (`0…65535`, `json|text`); empty where the summary says it.
    let accepted: String
    let summary: String
    /// The value from the variable's text as set (blanks not yet trimmed); unset, the variable keeps its default.
    let parse: @Sendable (String) throws(VariableRejection) -> Value
    /// The value as `agentd config` prints it: secrets as `"<redacted>"`, or null when unset.
    let show: @Sendable (Value) -> JSONValue

    var setting: Configuration.Setting {
        Configuration.Setting(
            name: name, defaultValue: shownDefault, summary: summary, accepted: accepted,
            read: { environment, configuration throws(ConfigurationError) in
                guard let text = environment[name] else { return }
                do throws(VariableRejection) {
                    configuration[keyPath: field] = try parse(text)
                } catch {
                    throw ConfigurationError(variable: name, value: error.shownValue ?? text, problem: error.problem, accepted: error.accepted)
                }
            },
            effective: { configuration, _ in show(configuration[keyPath: field]) }
        )
    }
}

/// Why a variable's text cannot be used; `ConfigurationError` adds the variable and its value.
struct VariableRejection: Error {
    let problem: String
    let accepted: String
    /// What the error line shows instead of the text (a URL with its password replaced).
    var shownValue: String?
}

/// The kinds of variable `Configuration.Variable` declares, each with how it parses and prints.
extension Configuration.Variable {
    /// A whole number within bounds (`AGENTD_PORT`).
    static func integer(
        _ name: String, _ field: ConfigurationVariable<Int>.Field, default value: Int, in range: ClosedRange<Int>, _ summary: String
    ) -> ConfigurationVariable<Int> {
        number(
            name, field, default: value, in: range, summary, kind: "whole number", shown: { String($0) }, read: { Int($0) },
            show: { .integer($0) }
        )
    }

    /// A finite number within bounds (`AGENTD_RATE_LIMIT_RPS`).
    static func decimal(
        _ name: String, _ field: ConfigurationVariable<Double>.Field, default value: Double, in range: ClosedRange<Double>, _ summary: String
    ) -> ConfigurationVariable<Double> {
        number(
            name, field, default: value, in: range, summary, kind: "number", shown: \.formatted,
            read: { Double($0).flatMap { $0.isFinite ? $0 : nil } }, show: { .double($0) }
        )
    }

    private static func number<Number: Comparable & Sendable>(
        _ name: String, _ field: ConfigurationVariable<Number>.Field, default value: Number, in range: ClosedRange<Number>,
        _ summary: String, kind: String, shown: @escaping @Sendable (Number) -> String, read: @escaping @Sendable (String) -> Number?,
        show: @escaping @Sendable (Number) -> JSONValue
    ) -> ConfigurationVariable<Number> {
        precondition(range.contains(value), "\(name)'s default is out of its own range")
        let accepted = "a \(kind) from \(shown(range.lowerBound)) to \(shown(range.upperBound))"
        return .init(
            name: name, field: field, defaultValue: value, shownDefault: shown(value),
            accepted: "\(shown(range.lowerBound))…\(shown(range.upperBound))", summary: summary,
            parse: { text throws(VariableRejection) in
                guard let number = read(text.trimmingBlanks()) else { throw VariableRejection(problem: "not a \(kind)", accepted: accepted) }
                guard range.contains(number) else { throw VariableRejection(problem: "out of range", accepted: accepted) }
                return number
            },
            show: show
        )
    }

    /// One of a few names, case-insensitive (`AGENTD_LOG_FORMAT`: `json|text`).
    static func choice<Value: Equatable & Sendable>(
        _ name: String, _ field: ConfigurationVariable<Value>.Field, default value: Value, _ names: [(String, Value)], _ summary: String
    ) -> ConfigurationVariable<Value> {
        let accepted = names.map(\.0).joined(separator: "|")
        let shown = { @Sendable (value: Value) in names.first { $0.1 == value }?.0 ?? "" }
        return .init(
            name: name, field: field, defaultValue: value, shownDefault: shown(value), accepted: accepted, summary: summary,
            parse: { text throws(VariableRejection) in
                let key = text.trimmingBlanks().lowercased()
                guard let match = names.first(where: { $0.0 == key }) else {
                    throw VariableRejection(problem: "not a known value", accepted: accepted)
                }
                return match.1
            },
            show: { .string(shown($0)) }
        )
    }

    /// `true` or `false` (`AGENTD_LOG_BODIES`).
    static func flag(
        _ name: String, _ field: ConfigurationVariable<Bool>.Field, default value: Bool, _ summary: String
    ) -> ConfigurationVariable<Bool> {
        let choice = Self.choice(name, field, default: value, [("true", true), ("false", false)], summary)
        return .init(
            name: name, field: field, defaultValue: value, shownDefault: choice.shownDefault, accepted: choice.accepted, summary: summary,
            parse: choice.parse, show: { .bool($0) }
        )
    }

    /// Text, blanks trimmed, that `check` accepts (and may rewrite) or rejects (`AGENTD_DATA_DIR`).
    static func text(
        _ name: String, _ field: ConfigurationVariable<String>.Field, default value: String, shown: String? = nil, _ summary: String,
        check: @escaping @Sendable (String) throws(VariableRejection) -> String
    ) -> ConfigurationVariable<String> {
        .init(
            name: name, field: field, defaultValue: value, shownDefault: shown ?? value, accepted: "", summary: summary,
            parse: { text throws(VariableRejection) in try check(text.trimmingBlanks()) }, show: { .string($0) }
        )
    }

    /// Optional text, blanks trimmed; empty is unset (a file path). A secret is taken as set, untrimmed, and
    /// prints as `"<redacted>"`.
    static func optional(
        _ name: String, _ field: ConfigurationVariable<String?>.Field, secret: Bool = false, _ summary: String,
        check: @escaping @Sendable (String) throws(VariableRejection) -> String = { $0 }
    ) -> ConfigurationVariable<String?> {
        .init(
            name: name, field: field, defaultValue: nil, shownDefault: "", accepted: "", summary: summary,
            parse: { text throws(VariableRejection) in
                let value = secret ? text : text.trimmingBlanks()
                return value.isEmpty ? nil : try check(value)
            },
            show: { value in value.map { secret ? .string(Configuration.redacted) : .string($0) } ?? .null }
        )
    }

    /// A comma list, blanks trimmed, empty items dropped (`AGENTD_FALLBACK_MODELS`). A secret list prints as
    /// `"<redacted>"`, or null when empty.
    static func list(
        _ name: String, _ field: ConfigurationVariable<[String]>.Field, secret: Bool = false, _ summary: String,
        check: @escaping @Sendable (String) throws(VariableRejection) -> Void = { _ in }
    ) -> ConfigurationVariable<[String]> {
        .init(
            name: name, field: field, defaultValue: [], shownDefault: "", accepted: "", summary: summary,
            parse: { text throws(VariableRejection) in
                let items = text.split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
                for item in items { try check(item) }
                return items
            },
            show: { items in secret ? (items.isEmpty ? .null : .string(Configuration.redacted)) : .array(items.map(JSONValue.string)) }
        )
    }
}
