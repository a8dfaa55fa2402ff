import JSON
import Testing
@testable import Agent

/// Tool arguments against a tool's JSON Schema (`JSONSchema`): each keyword agentd checks, and the schemas
/// it refuses at start.
@Suite struct JSONSchemaTests {
    static func problem(_ value: String, _ schema: String) throws -> String? {
        JSONSchema.problem(try JSONValue.parse(Array(value.utf8)), against: try JSONValue.parse(Array(schema.utf8)))
    }

    static let weather = #"""
    {"type":"object","properties":{
      "city":{"type":"string","minLength":2,"maxLength":20},
      "days":{"type":"integer","minimum":1,"maximum":7},
      "unit":{"enum":["c","f"]},
      "ratio":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1},
      "tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2},
      "when":{"type":["string","null"]}},
     "required":["city"],"additionalProperties":false}
    """#

    @Test func validArgumentsPass() throws {
        #expect(try Self.problem(#"{"city":"Oslo","days":3,"unit":"c","ratio":0.5,"tags":["a"],"when":null}"#, Self.weather) == nil)
        #expect(try Self.problem(#"{"city":"Oslo","days":3.0}"#, Self.weather) == nil, "3.0 is an integer")
    }

    @Test("each keyword refuses what it should, naming where", arguments: [
        (#"{}"#, "arguments.city: is required"),
        (#"[]"#, "arguments: must be object, not an array"),
        (#"{"city":5}"#, "arguments.city: must be string, not a number"),
        (#"{"city":"O"}"#, "arguments.city: must have at least 2 characters"),
        (#"{"city":"Oslo","days":2.5}"#, "arguments.days: must be integer"),
        (#"{"city":"Oslo","days":0}"#, "arguments.days: must be at least 1"),
        (#"{"city":"Oslo","days":8}"#, "arguments.days: must be at most 7"),
        (#"{"city":"Oslo","days":true}"#, "arguments.days: must be integer, not a boolean"),
        (#"{"city":"Oslo","unit":"k"}"#, #"arguments.unit: must be one of "c", "f""#),
        (#"{"city":"Oslo","ratio":1}"#, "arguments.ratio: must be less than 1"),
        (#"{"city":"Oslo","ratio":0}"#, "arguments.ratio: must be more than 0"),
        (#"{"city":"Oslo","tags":[]}"#, "arguments.tags: must have at least 1 items"),
        (#"{"city":"Oslo","tags":["a",2]}"#, "arguments.tags[1]: must be string, not a number"),
        (#"{"city":"Oslo","tags":["a","b","c"]}"#, "arguments.tags: must have at most 2 items"),
        (#"{"city":"Oslo","when":3}"#, "arguments.when: must be string or null, not a number"),
        (#"{"city":"Oslo","extra":1}"#, "arguments.extra: is not an accepted property"),
    ])
    func keywordRefusals(value: String, expected: String) throws {
        let problem = try Self.problem(value, Self.weather)
        #expect(problem?.hasPrefix(expected) == true, "\(value): \(problem ?? "nil")")
    }

    @Test func additionalPropertiesAsASchemaAndUnknownKeywordsIgnored() throws {
        let schema = #"{"type":"object","additionalProperties":{"type":"integer"},"patternProperties":{"x":{}},"format":"weird"}"#
        #expect(try Self.problem(#"{"a":1}"#, schema) == nil)
        #expect(try Self.problem(#"{"a":"1"}"#, schema)?.hasPrefix("arguments.a: must be integer") == true)
    }

    @Test("schemas a tool cannot have are refused at start", arguments: [
        (#""string""#, "must be a JSON Schema object"),
        (#"{"type":"string"}"#, "must be an object schema"),
        (#"{"type":"object","properties":[]}"#, "parameters.properties: must be an object of schemas"),
        (#"{"type":"object","properties":{"a":{"type":"text"}}}"#, "parameters.properties.a.type: must be one of"),
        (#"{"type":"object","required":"a"}"#, "parameters.required: must be an array of property names"),
        (#"{"type":"object","properties":{"a":{"enum":"x"}}}"#, "parameters.properties.a.enum: must be an array"),
    ])
    func badSchemas(schema: String, expected: String) throws {
        let problem = JSONSchema.problem(inSchema: try JSONValue.parse(Array(schema.utf8)))
        #expect(problem?.hasPrefix(expected) == true, "\(schema): \(problem ?? "nil")")
    }

    @Test func variablesInHeadersAreReadFromTheEnvironmentAndAMissingOneIsAnError() throws {
        #expect(try AgentCatalog.expand("Bearer ${TOKEN}-${X}", environment: ["TOKEN": "t", "X": "y"], at: "h") == "Bearer t-y")
        #expect(throws: AgentCatalogError.self) { try AgentCatalog.expand("${MISSING}", environment: [:], at: "h") }
        #expect(throws: AgentCatalogError.self) { try AgentCatalog.expand("${OPEN", environment: ["OPEN": "x"], at: "h") }
    }

    @Test func longResultsAreCutOnACharacterBoundaryWithAMarker() {
        let cut = AgentLoop.bounded("ééééééééé", maxBytes: 9)   // 18 bytes: 4 whole characters fit in 9
        #expect(cut.hasPrefix("éééé\n") && cut.contains("[truncated: 10 more bytes]"), "\(cut)")
        #expect(AgentLoop.bounded("short", maxBytes: 9) == "short")
    }
}
