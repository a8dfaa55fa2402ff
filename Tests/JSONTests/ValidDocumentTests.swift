import Testing
@testable import JSON

/// Documents RFC 8259 accepts, and the exact values they must become.
@Suite struct ValidDocumentTests {
    /// RFC 8259 §13, first example.
    @Test func rfcImageObject() throws {
        let value = try parse(
            """
            {
              "Image": {
                  "Width":  800,
                  "Height": 600,
                  "Title":  "View from 15th Floor",
                  "Thumbnail": {
                      "Url":    "http://www.example.com/image/481989943",
                      "Height": 125,
                      "Width":  100
                  },
                  "Animated" : false,
                  "IDs": [116, 943, 234, 38793]
                }
            }
            """)
        let image = try #require(value["Image"]?.objectValue)
        #expect(image.keys == ["Width", "Height", "Title", "Thumbnail", "Animated", "IDs"])
        #expect(image["Width"] == .integer(800))
        #expect(image["Height"] == .integer(600))
        #expect(image["Title"] == .string("View from 15th Floor"))
        #expect(value["Image"]?["Thumbnail"]?["Url"] == .string("http://www.example.com/image/481989943"))
        #expect(value["Image"]?["Thumbnail"]?["Width"] == .integer(100))
        #expect(image["Animated"] == .bool(false))
        #expect(image["IDs"] == .array([.integer(116), .integer(943), .integer(234), .integer(38793)]))
    }

    /// RFC 8259 §13, second example.
    @Test func rfcArrayOfObjects() throws {
        let value = try parse(
            """
            [
              {
                 "precision": "zip",
                 "Latitude":  37.7668,
                 "Longitude": -122.3959,
                 "Address":   "",
                 "City":      "SAN FRANCISCO",
                 "State":     "CA",
                 "Zip":       "94107",
                 "Country":   "US"
              },
              {
                 "precision": "zip",
                 "Latitude":  37.371991,
                 "Longitude": -122.026020,
                 "Address":   "",
                 "City":      "SUNNYVALE",
                 "State":     "CA",
                 "Zip":       "94085",
                 "Country":   "US"
              }
            ]
            """)
        #expect(value.arrayValue?.count == 2)
        #expect(value[0]?["Latitude"] == .double(37.7668))
        #expect(value[0]?["Longitude"] == .double(-122.3959))
        #expect(value[0]?["Address"] == .string(""))
        #expect(value[1]?["Latitude"] == .double(37.371991))
        #expect(value[1]?["Longitude"] == .double(-122.02602))
        #expect(value[1]?["City"] == .string("SUNNYVALE"))
        #expect(value[1]?.objectValue?.keys.count == 8)
    }

    /// RFC 8259 §13: a scalar alone is a document.
    @Test func scalarDocuments() throws {
        #expect(try parse(#""Hello world!""#) == .string("Hello world!"))
        #expect(try parse("42") == .integer(42))
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("null") == .null)
    }

    @Test func emptyContainers() throws {
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object(JSONObject()))
        #expect(try parse(#""""#) == .string(""))
        #expect(try parse(#"[[],{}]"#) == .array([.array([]), .object(JSONObject())]))
        #expect(try parse(#"{"":{}}"#) == .object(JSONObject([("", .object(JSONObject()))])))
    }

    /// SP, HTAB, LF and CR may surround the value and every token.
    @Test func whitespaceAroundTokens() throws {
        let value = try parse(" \t\r\n{ \"a\" :\t[ 1 ,\n2 ] , \"b\"\r\n: null }\n\t ")
        #expect(value == .object(JSONObject([("a", .array([.integer(1), .integer(2)])), ("b", .null)])))
    }

    @Test func nestedMixedContainers() throws {
        let value = try parse(#"{"a":[{"b":[[{"c":"deep"}]]}],"d":{"e":{"f":[1,[2,[3]]]}}}"#)
        #expect(value["a"]?[0]?["b"]?[0]?[0]?["c"] == .string("deep"))
        #expect(value["d"]?["e"]?["f"]?[1]?[1]?[0] == .integer(3))
    }

    @Test func everyShortEscape() throws {
        let value = try parse(#""\"\\\/\b\f\n\r\t""#)
        #expect(value == .string("\"\\/\u{08}\u{0C}\n\r\t"))
    }

    @Test func unicodeEscapesOfEveryWidth() throws {
        #expect(try parse(#""\u0041\u00e9\u20AC\uFFFF""#) == .string("A\u{E9}\u{20AC}\u{FFFF}"))
        #expect(try parse(#""\u0000""#).stringValue?.unicodeScalars.map(\.value) == [0])
        #expect(try parse(#""\u001F\u007f""#).stringValue?.unicodeScalars.map(\.value) == [0x1F, 0x7F])
    }

    @Test func surrogatePairsBecomeOneScalar() throws {
        #expect(try parse(#""\uD83D\uDE00""#).stringValue?.unicodeScalars.map(\.value) == [0x1F600])
        #expect(try parse(#""\ud834\udd1e""#).stringValue?.unicodeScalars.map(\.value) == [0x1D11E])
        #expect(try parse(#""\uD800\uDC00""#).stringValue?.unicodeScalars.map(\.value) == [0x10000])
        #expect(try parse(#""\uDBFF\uDFFF""#).stringValue?.unicodeScalars.map(\.value) == [0x10FFFF])
        #expect(try parse(#""x\uD83D\uDE00y""#) == .string("x😀y"))
    }

    @Test func rawUTF8PassesThrough() throws {
        #expect(try parse("\"héllo €𝄞 😀 日本語\"") == .string("héllo €𝄞 😀 日本語"))
        // The edges of Unicode's Table 3-7, each well-formed.
        let edges: [UInt8] = [0x22, 0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80,
                              0xEF, 0xBF, 0xBF, 0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0x22]
        let scalars = try JSONValue.parse(edges).stringValue?.unicodeScalars.map(\.value)
        #expect(scalars == [0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF])
    }

    @Test func escapesMixedWithMultiByteText() throws {
        #expect(try parse(#""a\nb€\u00e9c😀\t""#) == .string("a\nb€éc😀\t"))
        #expect(try parse(#"["\"", "é\\", "\\"]"#) == .array([.string("\""), .string("é\\"), .string("\\")]))
    }

    @Test func repeatedKeyKeepsTheLastValueInTheFirstPlace() throws {
        let value = try parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.objectValue?.members.map(\.key) == ["a", "b"])
        #expect(value["a"] == .integer(3))
        #expect(value["b"] == .integer(2))
    }

    /// Open objects share one member stack while parsing: a repeated key only ever matches within its own object.
    @Test func repeatedKeysInNestedObjectsStayInTheirObject() throws {
        let value = try parse(#"{"a":1,"inner":{"a":2,"b":3,"a":4,"deeper":{"a":5,"a":6}},"b":7,"a":8}"#)
        #expect(value == ["a": 8, "inner": ["a": 4, "b": 3, "deeper": ["a": 6]], "b": 7])
        let members = (0..<20).map { "\"k\($0)\":\($0)" } + ["\"k3\":\"again\""]
        let large = try parse(#"{"k3":0,"x":{"# + members.joined(separator: ",") + #"},"k3":1}"#)
        #expect(large.objectValue?.keys == ["k3", "x"])
        #expect(large["k3"] == .integer(1))
        #expect(large["x"]?.objectValue?.keys == (0..<20).map { "k\($0)" })
        #expect(large["x"]?["k3"] == .string("again"))
    }

    /// Past the parser's linear-scan threshold the index takes over; the rule must not change.
    @Test func repeatedKeysInALargeObject() throws {
        let members = (0..<40).map { "\"k\($0)\":\($0)" } + ["\"k5\":\"again\"", "\"k39\":null", "\"k0\":[]"]
        let value = try parse("{" + members.joined(separator: ",") + "}")
        let object = try #require(value.objectValue)
        #expect(object.count == 40)
        #expect(object.keys == (0..<40).map { "k\($0)" })
        #expect(object["k5"] == .string("again"))
        #expect(object["k39"] == .null)
        #expect(object["k0"] == .array([]))
        #expect(object["k6"] == .integer(6))
    }

    /// Keys are names compared byte by byte (RFC 8259 §8.3), not by canonical equivalence.
    @Test func canonicallyEquivalentKeysStayDistinct() throws {
        let value = try parse(#"{"\u00e9":1,"e\u0301":2}"#)
        #expect(value.objectValue?.count == 2)
        #expect(value["\u{E9}"] == .integer(1))
        #expect(value["e\u{301}"] == .integer(2))
    }
}
