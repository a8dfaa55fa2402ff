import Testing
@testable import JSON

/// Editing an object in place: the order of members is the order they were first set in.
@Suite struct JSONObjectTests {
    @Test func settingANewKeyAppends() {
        var object: JSONObject = ["a": 1]
        object["b"] = "two"
        #expect(object.keys == ["a", "b"])
        #expect(object["b"] == .string("two"))
    }

    @Test func settingAnExistingKeyReplacesInPlace() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = [true]
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["b"] == .array([.bool(true)]))
        #expect(object.count == 3)
    }

    @Test func settingNilRemovesAndSettingNullStores() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = nil
        #expect(object.keys == ["b"])
        object["c"] = .null
        #expect(object.keys == ["b", "c"])
        #expect(object["c"] == .null)
        #expect(object.text == #"{"b":2,"c":null}"#)
    }

    @Test func removeValueReturnsWhatWasThere() {
        var object: JSONObject = ["a": 1, "b": "x", "c": 3]
        #expect(object.removeValue(forKey: "b") == .string("x"))
        #expect(object.removeValue(forKey: "b") == nil)
        #expect(object.keys == ["a", "c"])
        #expect(object.index(forKey: "c") == 1)
        #expect(object.index(forKey: "zz") == nil)
    }

    @Test func emptiness() {
        var object = JSONObject()
        #expect(object.isEmpty)
        #expect(object.count == 0)
        #expect(object.keys == [])
        object["k"] = 1
        #expect(!object.isEmpty)
        #expect(object.count == 1)
    }

    /// "é" as one scalar and as "e" plus a combining accent are equal Swift strings but different JSON names.
    @Test func keysMatchByExactBytes() {
        var object: JSONObject = ["\u{E9}": 1]
        #expect(object["e\u{301}"] == nil)
        object["e\u{301}"] = 2
        #expect(object.count == 2)
        #expect(object["\u{E9}"] == .integer(1))
        #expect(object["e\u{301}"] == .integer(2))
        #expect(object.removeValue(forKey: "e\u{301}") == .integer(2))
        #expect(object.keys == ["\u{E9}"])
    }

    @Test func equalityIsOrderSensitive() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(ab == ["a": 1, "b": 2])
        let rebuilt = JSONObject([("a", 1), ("b", 2)])
        #expect(ab.hashValue == rebuilt.hashValue)
    }

    @Test func handBuiltDuplicatesAnswerWithTheFirst() {
        var object = JSONObject([("k", 1), ("k", 2)])
        #expect(object["k"] == .integer(1))
        object["k"] = 3
        #expect(object.members.map(\.value) == [.integer(3), .integer(2)])
    }

    @Test func anObjectEditedThroughItsValue() throws {
        var body = try #require(try parse(#"{"model":"m","stream":false}"#).objectValue)
        body["stream"] = true
        body["max_tokens"] = 16
        #expect(JSONValue.object(body).text == #"{"model":"m","stream":true,"max_tokens":16}"#)
    }
}
