import Testing
@testable import JSON

/// Swift literals build the values they spell.
@Suite struct LiteralTests {
    @Test func scalarLiterals() {
        let null: JSONValue = nil
        let yes: JSONValue = true
        let integer: JSONValue = 42
        let negative: JSONValue = -7
        let double: JSONValue = 2.5
        let string: JSONValue = "text"
        #expect(null == .null)
        #expect(yes == .bool(true))
        #expect(integer == .integer(42))
        #expect(negative == .integer(-7))
        #expect(double == .double(2.5))
        #expect(string == .string("text"))
    }

    @Test func arrayLiteralMixesKinds() {
        let value: JSONValue = [1, "two", 3.0, false, nil, [4]]
        #expect(value == .array([.integer(1), .string("two"), .double(3.0), .bool(false), .null, .array([.integer(4)])]))
    }

    @Test func dictionaryLiteralKeepsTheWrittenOrder() {
        let value: JSONValue = ["z": 1, "a": 2, "m": ["y": nil, "b": true]]
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["m"]?.objectValue?.keys == ["y", "b"])
        #expect(value.text == #"{"z":1,"a":2,"m":{"y":null,"b":true}}"#)
    }

    @Test func dictionaryLiteralWithARepeatedKeyActsLikeParsing() throws {
        let value: JSONValue = ["a": 1, "b": 2, "a": 3]
        #expect(value == (try parse(#"{"a":1,"b":2,"a":3}"#)))
        #expect(value.objectValue?.members.map(\.key) == ["a", "b"])
        #expect(value["a"] == .integer(3))
    }

    @Test func jsonObjectLiteral() {
        let object: JSONObject = ["role": "user", "content": "hi"]
        #expect(object.keys == ["role", "content"])
        #expect(object["content"] == .string("hi"))
        #expect(JSONValue.object(object).text == #"{"role":"user","content":"hi"}"#)
    }

    @Test func emptyLiterals() {
        let array: JSONValue = []
        let object: JSONValue = [:]
        #expect(array == .array([]))
        #expect(object == .object(JSONObject()))
        #expect(object.text == "{}")
    }
}
