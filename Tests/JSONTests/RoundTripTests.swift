import Testing
@testable import JSON

/// parse → serialize → parse gives the same value, and the serialized text is the compact form.
@Suite struct RoundTripTests {
    static let documents: [String] = [
        #"{"Image":{"Width":800,"Height":600,"Title":"View from 15th Floor","IDs":[116,943,234,38793]}}"#,
        #"[{"precision":"zip","Latitude":37.7668,"Longitude":-122.3959,"Address":""}]"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi \"there\"\n"}],"stream":true}"#,
        #"{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","required":[]}}}]}"#,
        #"["\u0000\u001f\b\f\n\r\t\\\"","é€𝄞😀","a/b","\u2028\u2029"]"#,
        #"[0,-1,9223372036854775807,-9223372036854775808,0.1,-0.0,1e-7,1.7976931348623157e308,5e-324]"#,
        #"[1e2,12345678901234567890,0.30000000000000004,123.456e-7,4.35e-20,1e22,1e23]"#,
        #"{"z":1,"a":2,"m":{"y":null,"b":[true,false]}}"#,
        #"{"":"","\u00e9":1,"e\u0301":2}"#,
        nestedArrays(128),
    ]

    @Test(arguments: documents)
    func parseSerializeParseIsTheSameValue(document: String) throws {
        let value = try parse(document)
        let text = value.text
        let again = try parse(text)
        #expect(again == value)
        #expect(again.text == text, "serializing is stable")
    }

    @Test func compactTextOfAnIndentedDocument() throws {
        let value = try parse(
            """
            {
              "a" : [ 1, 2.5, "x" ],
              "b" : null,
              "c" : { "d" : true }
            }
            """)
        #expect(value.text == #"{"a":[1,2.5,"x"],"b":null,"c":{"d":true}}"#)
    }

    @Test func escapesAreRewrittenInTheirShortestForm() throws {
        let value = try parse(#""\u0041\/\u000a\u0008\u001F\u00e9\uD83D\uDE00""#)
        #expect(value.text == "\"A/\\n\\b\\u001fé😀\"")
    }

    @Test func numbersKeepTheirValueNotTheirSpelling() throws {
        let value = try parse("[1E2,1.50,-0,0e0,10,2.5e-3,1e16,-12345678901234567890]")
        #expect(value.text == "[100.0,1.5,-0.0,0.0,10,0.0025,1e+16,-1.2345678901234567e+19]")
    }
}
