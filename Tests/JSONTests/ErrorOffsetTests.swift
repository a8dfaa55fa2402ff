import Testing
@testable import JSON

/// What a client reads when its body is refused: the message and the byte it points at.
@Suite struct ErrorOffsetTests {
    @Test func missingColonAfterAKey() throws {
        let error = try #require(parseFailure(#"{"model":"m","stream" true}"#))
        #expect(error.offset == 22)
        #expect(error.description == "expected ':' after object key, found 't' at byte 22")
    }

    @Test func missingCommaBetweenMembers() throws {
        let error = try #require(parseFailure(#"{"a":1 "b":2}"#))
        #expect(error.description == "expected ',' or '}' after object member, found '\"' at byte 7")
    }

    @Test func trailingCommaPointsAtTheComma() throws {
        let error = try #require(parseFailure("[1, 2, ]"))
        #expect(error.description == "trailing comma in array at byte 5")
    }

    @Test func offsetsCountBytesNotCharacters() throws {
        // "é" and "€" are two and three bytes.
        let error = try #require(parseFailure(#"["é€", x]"#))
        #expect(error.description == "expected a value, found 'x' at byte 10")
    }

    @Test func endOfInputPointsPastTheLastByte() throws {
        let error = try #require(parseFailure(#"{"a":[1,2"#))
        #expect(error.description == "unexpected end of input, expected ',' or ']' after array element at byte 9")
        #expect(parseFailure(#""abc"#)?.description == "unterminated string at byte 4")
    }

    @Test func unprintableBytesAreShownInHex() throws {
        #expect(parseFailure([0x5B, 0x01, 0x5D])?.description == "expected a value, found byte 0x01 at byte 1")
        #expect(parseFailure([0x22, 0x0A, 0x22])?.description == "unescaped control character byte 0x0A in string at byte 1")
        #expect(parseFailure([0x22, 0xFE, 0x22])?.description == "invalid UTF-8: byte 0xFE cannot start a sequence at byte 1")
    }

    @Test func utf8ProblemsAreNamed() throws {
        #expect(parseFailure([0x22, 0xC0, 0x80, 0x22])?.message == "invalid UTF-8: overlong encoding")
        #expect(parseFailure([0x22, 0xED, 0xA0, 0x80, 0x22])?.message == "invalid UTF-8: encoded surrogate")
        #expect(parseFailure([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22])?.message == "invalid UTF-8: code point above U+10FFFF")
        #expect(parseFailure([0x22, 0xE2, 0x82, 0x22])?.message == "invalid UTF-8: truncated sequence")
        #expect(parseFailure([0x22, 0xBF, 0x22])?.message == "invalid UTF-8: unexpected continuation byte 0xBF")
    }

    @Test func escapeProblemsPointAtTheBackslash() throws {
        #expect(parseFailure(#"["ok", "\q"]"#)?.description == "invalid escape '\\' followed by 'q' at byte 8")
        #expect(parseFailure(#""\u12G4""#)?.description == "invalid \\u escape: expected 4 hex digits at byte 1")
        #expect(parseFailure(#""\udc00""#)?.description == "lone low surrogate \\uDC00 at byte 1")
        #expect(
            parseFailure(#""\uD83Dx""#)?.description
                == "high surrogate \\uD83D not followed by a \\u low surrogate at byte 1")
        #expect(
            parseFailure(#""\uD83D\u0041""#)?.description
                == "high surrogate \\uD83D followed by \\u0041, not a low surrogate at byte 7")
    }

    @Test func numberProblems() throws {
        #expect(parseFailure("[01]")?.description == "leading zeros are not allowed in numbers at byte 2")
        #expect(parseFailure("1.")?.description == "expected a digit after '.' at byte 2")
        #expect(parseFailure("-x")?.description == "expected a digit after '-' at byte 1")
        #expect(parseFailure("1e+")?.description == "expected a digit in the exponent at byte 3")
        #expect(parseFailure(#"{"n": 1e999}"#)?.description == "number out of range for a double at byte 6")
    }

    @Test func literalAndTrailingProblems() throws {
        #expect(parseFailure("nul")?.description == "invalid literal, expected 'null' at byte 0")
        #expect(parseFailure("[true false]")?.description == "expected ',' or ']' after array element, found 'f' at byte 6")
        #expect(parseFailure("{} {}")?.description == "unexpected '{' after the JSON value at byte 3")
        #expect(parseFailure("{'a':1}")?.description == "expected a string key in object, found ''' at byte 1")
    }

    /// Offsets count from the first byte the caller passed, not from the start of the storage behind it.
    @Test func sliceOffsetsAreRelativeToTheSlice() throws {
        let storage = Array("xxxxx[1,]".utf8)
        let slice = storage[5...]
        #expect(throws: JSONError(offset: 2, message: "trailing comma in array")) { try JSONValue.parse(slice) }
    }

    @Test func aLongBadInputGivesAShortMessage() throws {
        let input = "[" + String(repeating: "1,", count: 10_000) + "@" + String(repeating: "x", count: 10_000) + "]"
        let error = try #require(parseFailure(input))
        #expect(error.description == "expected a value, found '@' at byte 20001")
    }
}
