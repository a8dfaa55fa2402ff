import JSON

/// The part of JSON Schema agentd checks tool arguments against, before it calls the tool: pure functions.
///
/// Checked: `type` (a name or a list of names: object, array, string, number, integer, boolean, null),
/// `properties`, `required`, `additionalProperties` (false or a schema), `enum`, `const`, `items` (one schema),
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numbers), `minLength`, `maxLength` (in
/// characters), `minItems`, `maxItems`. Every other keyword (`pattern`, `format`, `$ref`, `anyOf`, `oneOf`,
/// `allOf`, `not`, …) is ignored: the tool itself still sees its arguments and may refuse them.
public enum JSONSchema {
    /// Why `value` does not match `schema`, naming where (`arguments.city: …`); nil when it matches.
    public static func problem(_ value: JSONValue, against schema: JSONValue, at path: String = "arguments") -> String? {
        guard let rules = schema.objectValue else { return nil }
        if let type = rules["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
            if !names.isEmpty && !names.contains(where: { matches(value, type: $0) }) {
                return "\(path): must be \(names.joined(separator: " or ")), not \(typeName(value))"
            }
        }
        if let allowed = rules["enum"]?.arrayValue, !allowed.contains(where: { same($0, value) }) {
            return "\(path): must be one of \(allowed.map { String(decoding: $0.serialized(), as: UTF8.self) }.joined(separator: ", "))"
        }
        if let constant = rules["const"], !same(constant, value) {
            return "\(path): must be \(String(decoding: constant.serialized(), as: UTF8.self))"
        }
        if let number = value.doubleValue, !isBoolean(value) {
            if let minimum = rules["minimum"]?.doubleValue, number < minimum { return "\(path): must be at least \(format(minimum))" }
            if let maximum = rules["maximum"]?.doubleValue, number > maximum { return "\(path): must be at most \(format(maximum))" }
            if let bound = rules["exclusiveMinimum"]?.doubleValue, number <= bound { return "\(path): must be more than \(format(bound))" }
            if let bound = rules["exclusiveMaximum"]?.doubleValue, number >= bound { return "\(path): must be less than \(format(bound))" }
        }
        if let text = value.stringValue {
            let count = text.count
            if let minimum = rules["minLength"]?.intValue, count < minimum { return "\(path): must have at least \(minimum) characters" }
            if let maximum = rules["maxLength"]?.intValue, count > maximum { return "\(path): must have at most \(maximum) characters" }
        }
        if let elements = value.arrayValue {
            if let minimum = rules["minItems"]?.intValue, elements.count < minimum { return "\(path): must have at least \(minimum) items" }
            if let maximum = rules["maxItems"]?.intValue, elements.count > maximum { return "\(path): must have at most \(maximum) items" }
            if let items = rules["items"], items.objectValue != nil {
                for (index, element) in elements.enumerated() {
                    if let problem = problem(element, against: items, at: "\(path)[\(index)]") { return problem }
                }
            }
        }
        if let object = value.objectValue {
            for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
                return "\(path).\(name): is required"
            }
            let properties = rules["properties"]?.objectValue
            for (name, member) in object.members {
                if let property = properties?[name] {
                    if let problem = problem(member, against: property, at: "\(path).\(name)") { return problem }
                } else if let additional = rules["additionalProperties"] {
                    if additional.boolValue == false { return "\(path).\(name): is not an accepted property" }
                    if additional.objectValue != nil, let problem = problem(member, against: additional, at: "\(path).\(name)") {
                        return problem
                    }
                }
            }
        }
        return nil
    }

    /// Why `schema` cannot describe a tool's arguments (checked at start); nil when it can: an object schema
    /// (`"type": "object"`) whose `properties` are objects, `required` names strings, and `type`s known names.
    public static func problem(inSchema schema: JSONValue) -> String? {
        guard let rules = schema.objectValue else { return "must be a JSON Schema object" }
        guard rules["type"]?.stringValue == "object" else { return #"must be an object schema ("type": "object")"# }
        return structuralProblem(schema, at: "parameters")
    }

    private static func structuralProblem(_ schema: JSONValue, at path: String) -> String? {
        guard let rules = schema.objectValue else { return "\(path): must be a schema object" }
        if let type = rules["type"] {
            let names = type.arrayValue.map { $0.map(\.stringValue) } ?? [type.stringValue]
            for name in names {
                guard let name, knownTypes.contains(name) else {
                    return "\(path).type: must be one of \(knownTypes.joined(separator: ", ")) (or a list of them)"
                }
            }
        }
        if let properties = rules["properties"] {
            guard let members = properties.objectValue?.members else { return "\(path).properties: must be an object of schemas" }
            for (name, property) in members {
                if let problem = structuralProblem(property, at: "\(path).properties.\(name)") { return problem }
            }
        }
        if let required = rules["required"], required.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            return "\(path).required: must be an array of property names"
        }
        if let items = rules["items"], items.objectValue != nil, let problem = structuralProblem(items, at: "\(path).items") {
            return problem
        }
        if let values = rules["enum"], values.arrayValue == nil { return "\(path).enum: must be an array" }
        return nil
    }

    static let knownTypes = ["object", "array", "string", "number", "integer", "boolean", "null"]

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch type {
        case "object": value.objectValue != nil
        case "array": value.arrayValue != nil
        case "string": value.stringValue != nil
        case "boolean": isBoolean(value)
        case "null": value.isNull
        case "number": value.doubleValue != nil && !isBoolean(value)
        case "integer":
            if let number = value.doubleValue, !isBoolean(value) { number.rounded() == number && number.isFinite } else { false }
        default: true
        }
    }

    private static func isBoolean(_ value: JSONValue) -> Bool { value.boolValue != nil }

    private static func typeName(_ value: JSONValue) -> String {
        if value.isNull { return "null" }
        if isBoolean(value) { return "a boolean" }
        if value.stringValue != nil { return "a string" }
        if value.arrayValue != nil { return "an array" }
        if value.objectValue != nil { return "an object" }
        return "a number"
    }

    /// JSON equality, numbers by value (1 and 1.0 are the same).
    private static func same(_ left: JSONValue, _ right: JSONValue) -> Bool {
        if let a = left.doubleValue, let b = right.doubleValue, !isBoolean(left), !isBoolean(right) { return a == b }
        return left.serialized() == right.serialized()
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
