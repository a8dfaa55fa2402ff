import Testing
@testable import JSON

/// The exact bytes the serializer writes for values built in code.
@Suite struct SerializationTests {
    @Test func aRequestBodyInMemberOrder() {
        let body: JSONValue = [
            "model": "m", "n": 1, "temperature": 0.5, "stream": true, "stop": nil,
            "messages": [["role": "user", "content": "hi"]], "nested": [1, "two", [3]],
        ]
        #expect(
            body.text
                == #"{"model":"m","n":1,"temperature":0.5,"stream":true,"stop":null,"#
                + #""messages":[{"role":"user","content":"hi"}],"nested":[1,"two",[3]]}"#)
    }

    @Test func scalars() {
        #expect(JSONValue.null.text == "null")
        #expect(JSONValue.bool(true).text == "true")
        #expect(JSONValue.bool(false).text == "false")
        #expect(JSONValue.string("").text == #""""#)
        #expect(JSONValue.array([]).text == "[]")
        #expect(JSONValue.object(JSONObject()).text == "{}")
    }

    @Test(arguments: [
        (0, "0"), (7, "7"), (-7, "-7"), (10, "10"), (-10, "-10"), (1_234_567_890, "1234567890"),
        (Int.max, "9223372036854775807"), (Int.min, "-9223372036854775808"),
    ])
    func integers(value: Int, expected: String) {
        #expect(JSONValue.integer(value).text == expected)
    }

    @Test(arguments: [
        (100.0, "100.0"), (0.1, "0.1"), (-0.0, "-0.0"), (0.0, "0.0"), (1e16, "1e+16"), (1e-7, "1e-07"),
        (2.5, "2.5"), (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.30000000000000004, "0.30000000000000004"), (-1500.0, "-1500.0"),
    ])
    func doublesInShortestRoundTripForm(value: Double, expected: String) throws {
        #expect(JSONValue.double(value).text == expected)
        #expect(try parse(expected) == .double(value), "the text reads back as the same Double")
    }

    @Test func nonFiniteDoublesBecomeNull() {
        #expect(JSONValue.double(.infinity).text == "null")
        #expect(JSONValue.double(-.infinity).text == "null")
        #expect(JSONValue.double(.nan).text == "null")
        #expect(JSONValue.array([.double(.nan), 1]).text == "[null,1]")
    }

    @Test func stringsEscapeOnlyWhatRFC8259Requires() {
        let value = JSONValue.string("\"\\/\n\r\t\u{08}\u{0C}\u{00}\u{1F}\u{7F}é😀\u{2028}")
        #expect(value.text == "\"\\\"\\\\/\\n\\r\\t\\b\\f\\u0000\\u001f\u{7F}é😀\u{2028}\"")
    }

    @Test func everyControlCharacterIsEscaped() throws {
        let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let text = JSONValue.string(controls).text
        #expect(text.utf8.allSatisfy { $0 >= 0x20 })
        #expect(text.hasPrefix(#""\u0000\u0001"#))
        #expect(text.hasSuffix(#"\u001e\u001f""#))
        #expect(try parse(text) == .string(controls))
    }

    @Test func keysAreEscapedLikeStrings() {
        let object: JSONObject = ["a\"b": 1, "line\n": 2]
        #expect(object.text == #"{"a\"b":1,"line\n":2}"#)
    }

    @Test func serializeAppendsToWhatIsAlreadyThere() {
        var out = Array("data: ".utf8)
        JSONValue.array([1, 2]).serialize(into: &out)
        JSONValue.string("x").serialize(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"data: [1,2]"x""#)
        #expect(JSONValue.bool(true).serialized() == Array("true".utf8))
    }

    @Test func descriptionIsTheJSONText() {
        let value: JSONValue = ["k": [1, 2.5, "s", nil]]
        #expect(value.description == #"{"k":[1,2.5,"s",null]}"#)
        #expect("\(value)" == value.text)
        #expect(value.objectValue?.description == value.text)
    }

    @Test func aLongStringWithOneEscapeIsCopiedAround() throws {
        let long = String(repeating: "abcdefgh", count: 10_000)
        let value = JSONValue.string(long + "\n" + long)
        let text = value.text
        #expect(text.utf8.count == 2 * long.utf8.count + 4)
        #expect(try parse(text) == value)
    }
}
