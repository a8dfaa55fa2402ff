import Testing
@testable import JSON

/// The typed views into a value: each answers for its own kind and nil for every other.
@Suite struct AccessorTests {
    static let document: JSONValue = [
        "s": "text", "i": 3, "d": 2.5, "whole": 4.0, "b": true, "n": nil, "a": [10, 20], "o": ["k": "v"],
    ]

    @Test func keySubscript() {
        #expect(Self.document["s"] == .string("text"))
        #expect(Self.document["o"]?["k"] == .string("v"))
        #expect(Self.document["missing"] == nil)
        #expect(Self.document["n"] == .null, "present and null is not missing")
        #expect(JSONValue.array([1])["s"] == nil)
        #expect(JSONValue.string("s")["s"] == nil)
    }

    @Test func indexSubscript() {
        #expect(Self.document["a"]?[0] == .integer(10))
        #expect(Self.document["a"]?[1] == .integer(20))
        #expect(Self.document["a"]?[2] == nil)
        #expect(Self.document["a"]?[-1] == nil)
        #expect(Self.document[0] == nil, "an object has no elements")
    }

    @Test func stringAndBoolValues() {
        #expect(Self.document["s"]?.stringValue == "text")
        #expect(Self.document["i"]?.stringValue == nil)
        #expect(Self.document["b"]?.boolValue == true)
        #expect(Self.document["n"]?.boolValue == nil)
        #expect(JSONValue.bool(false).boolValue == false)
    }

    @Test func intValue() {
        #expect(Self.document["i"]?.intValue == 3)
        #expect(Self.document["whole"]?.intValue == 4)
        #expect(Self.document["d"]?.intValue == nil)
        #expect(JSONValue.double(-0.0).intValue == 0)
        #expect(JSONValue.double(1e300).intValue == nil)
        #expect(JSONValue.double(9_223_372_036_854_775_808.0).intValue == nil, "2^63 is one past Int.max")
        #expect(JSONValue.double(-9_223_372_036_854_775_808.0).intValue == Int.min)
        #expect(JSONValue.double(.nan).intValue == nil)
        #expect(JSONValue.string("3").intValue == nil)
    }

    @Test func doubleValue() {
        #expect(Self.document["d"]?.doubleValue == 2.5)
        #expect(Self.document["i"]?.doubleValue == 3.0)
        #expect(JSONValue.integer(Int.max).doubleValue == 9_223_372_036_854_775_808.0)
        #expect(Self.document["s"]?.doubleValue == nil)
    }

    @Test func containerValues() {
        #expect(Self.document["a"]?.arrayValue == [.integer(10), .integer(20)])
        #expect(Self.document["o"]?.objectValue == ["k": "v"])
        #expect(Self.document.objectValue?.count == 8)
        #expect(Self.document.arrayValue == nil)
        #expect(Self.document["a"]?.objectValue == nil)
    }

    @Test func isNull() {
        #expect(Self.document["n"]?.isNull == true)
        #expect(Self.document["b"]?.isNull == false)
        #expect(JSONValue.integer(0).isNull == false)
        #expect(JSONValue.string("null").isNull == false)
    }
}
