import JSON

extension MockProvider {
    /// The mock's answer under structured output: `{"echo": <the user's text>}` for `json_object`; for
    /// `json_schema` the smallest instance of the schema, its strings the user's text (enums and consts
    /// honoured), so a client that parses the answer into its type gets one. nil: plain text.
    static func structuredAnswer(_ format: JSONValue?, userText: String) -> String? {
        switch format?["type"]?.stringValue {
        case "json_object":
            return JSONValue.object(JSONObject([("echo", .string(userText))])).text
        case "json_schema":
            return instance(of: format?["json_schema"]?["schema"] ?? .object(JSONObject()), text: userText, depth: 0).text
        default:
            return nil
        }
    }

    static func instance(of schema: JSONValue, text: String, depth: Int) -> JSONValue {
        if let constant = schema["const"] { return constant }
        if let first = schema["enum"]?.arrayValue?.first { return first }
        if let options = (schema["anyOf"] ?? schema["oneOf"])?.arrayValue, let first = options.first {
            return instance(of: first, text: text, depth: depth + 1)
        }
        let type = schema["type"]?.stringValue ?? schema["type"]?.arrayValue?.first?.stringValue ?? "object"
        guard depth < 8 else { return .null }
        switch type {
        case "string": return .string(text)
        case "integer": return .integer(Int(schema["minimum"]?.doubleValue ?? 0))
        case "number": return .double(schema["minimum"]?.doubleValue ?? 0)
        case "boolean": return .bool(false)
        case "null": return .null
        case "array":
            let count = schema["minItems"]?.intValue ?? 0
            return .array((0..<min(count, 8)).map { _ in instance(of: schema["items"] ?? ["type": "string"], text: text, depth: depth + 1) })
        default:
            var object = JSONObject()
            for member in schema["properties"]?.objectValue?.members ?? [] {
                object[member.key] = instance(of: member.value, text: text, depth: depth + 1)
            }
            return .object(object)
        }
    }
}
