import Testing
@testable import JSON

/// JSONWriter writes the same bytes as building the value and serializing it.
@Suite struct JSONWriterTests {
    @Test func nestedMembersMatchTheSerializer() throws {
        var json = JSONWriter(capacity: 8)
        json.beginObject()
        json.key("model")
        json.string("m\u{0}\"é\n")
        json.key("n")
        json.integer(-12)
        json.key("t")
        json.double(0.5)
        json.key("flags")
        json.beginArray()
        json.bool(true)
        json.bool(false)
        json.null()
        json.beginArray()
        json.endArray()
        json.beginObject()
        json.endObject()
        json.endArray()
        json.key("tools")
        json.value([["type": "function", "function": ["name": "f"]]])
        json.key("empty")
        json.beginObject()
        json.endObject()
        json.endObject()
        let expected: JSONValue = [
            "model": "m\u{0}\"é\n", "n": -12, "t": 0.5, "flags": [true, false, nil, [], .object(JSONObject())],
            "tools": [["type": "function", "function": ["name": "f"]]], "empty": .object(JSONObject()),
        ]
        #expect(json.bytes == expected.serialized())
        #expect(try JSONValue.parse(json.bytes) == expected)
    }

    @Test func topLevelArrayOfScalars() {
        var json = JSONWriter()
        json.beginArray()
        json.integer(1)
        json.string("two")
        json.double(.infinity)
        json.endArray()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"[1,"two",null]"#)
    }

    @Test func literalsAreWrittenAsIsWithCommasPlaced() {
        var json = JSONWriter()
        json.beginObject()
        json.key("a")
        json.literal(#"{"b":null}"#)
        json.key("c")
        json.literal("[]")
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"a":{"b":null},"c":[]}"#)
    }
}
