import Testing
@testable import JSON

/// One document the parser must refuse, named in the style of JSONTestSuite's `n_` files.
struct InvalidDocument: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    /// Where the error must point.
    let offset: Int

    init(_ name: String, _ text: String, at offset: Int) {
        self.name = name
        self.input = Array(text.utf8)
        self.offset = offset
    }

    init(_ name: String, bytes: [UInt8], at offset: Int) {
        self.name = name
        self.input = bytes
        self.offset = offset
    }

    var testDescription: String { name }
}

/// Documents RFC 8259 does not allow, each of which must throw, pointing at the right byte.
@Suite struct InvalidDocumentTests {
    static let quote = UInt8(ascii: "\"")

    static let documents: [InvalidDocument] = [
        // Structure
        InvalidDocument("n_structure_empty", "", at: 0),
        InvalidDocument("n_structure_whitespace_only", " \n", at: 2),
        InvalidDocument("n_structure_two_values", "[] []", at: 3),
        InvalidDocument("n_structure_trailing_garbage", "{}x", at: 2),
        InvalidDocument("n_structure_trailing_nul", bytes: [0x5B, 0x5D, 0x00], at: 2),
        InvalidDocument("n_structure_form_feed_is_not_whitespace", "\u{0C}[]", at: 0),
        InvalidDocument("n_structure_nbsp_is_not_whitespace", "\u{A0}[]", at: 0),
        InvalidDocument("n_structure_byte_order_mark", bytes: [0xEF, 0xBB, 0xBF, 0x5B, 0x5D], at: 0),
        InvalidDocument("n_structure_line_comment", "[1]//c", at: 3),
        InvalidDocument("n_structure_block_comment", "/*c*/[1]", at: 0),
        InvalidDocument("n_structure_unclosed_nested", "[[[", at: 3),
        InvalidDocument("n_structure_bracket_closed_by_brace", "[}", at: 1),
        // Arrays
        InvalidDocument("n_array_trailing_comma", "[1,]", at: 2),
        InvalidDocument("n_array_trailing_comma_before_whitespace", "[1 , ]", at: 3),
        InvalidDocument("n_array_extra_comma", "[1,,2]", at: 3),
        InvalidDocument("n_array_leading_comma", "[,1]", at: 1),
        InvalidDocument("n_array_only_comma", "[,]", at: 1),
        InvalidDocument("n_array_unclosed", "[1", at: 2),
        InvalidDocument("n_array_missing_comma", "[1 2]", at: 3),
        InvalidDocument("n_array_colon_instead_of_comma", #"["": 1]"#, at: 3),
        // Objects
        InvalidDocument("n_object_trailing_comma", #"{"a":1,}"#, at: 6),
        InvalidDocument("n_object_single_quoted_key", "{'a':1}", at: 1),
        InvalidDocument("n_object_unquoted_key", "{a:1}", at: 1),
        InvalidDocument("n_object_non_string_key", "{1:1}", at: 1),
        InvalidDocument("n_object_missing_colon", #"{"a" 1}"#, at: 5),
        InvalidDocument("n_object_comma_instead_of_colon", #"{"a",1}"#, at: 4),
        InvalidDocument("n_object_missing_value", #"{"a":}"#, at: 5),
        InvalidDocument("n_object_unclosed", #"{"a":1"#, at: 6),
        InvalidDocument("n_object_closed_by_bracket", #"{"a":1]"#, at: 6),
        InvalidDocument("n_object_comment_inside", #"{"a":1/**/}"#, at: 6),
        InvalidDocument("n_object_missing_key_after_comma", #"{"a":1,,"b":2}"#, at: 7),
        // Literals
        InvalidDocument("n_literal_truncated", "tru", at: 0),
        InvalidDocument("n_literal_capitalized", "True", at: 0),
        InvalidDocument("n_literal_extra_letter", "nulll", at: 4),
        InvalidDocument("n_literal_python_none", "None", at: 0),
        // Numbers
        InvalidDocument("n_number_NaN", "NaN", at: 0),
        InvalidDocument("n_number_nan", "[nan]", at: 1),
        InvalidDocument("n_number_Infinity", "Infinity", at: 0),
        InvalidDocument("n_number_minus_Infinity", "-Infinity", at: 1),
        InvalidDocument("n_number_leading_zero", "01", at: 1),
        InvalidDocument("n_number_negative_leading_zero", "-012", at: 2),
        InvalidDocument("n_number_plus_sign", "+1", at: 0),
        InvalidDocument("n_number_starting_with_dot", ".5", at: 0),
        InvalidDocument("n_number_minus_dot", "-.5", at: 1),
        InvalidDocument("n_number_trailing_dot", "1.", at: 2),
        InvalidDocument("n_number_dot_before_exponent", "1.e5", at: 2),
        InvalidDocument("n_number_exponent_without_digits", "1e", at: 2),
        InvalidDocument("n_number_exponent_sign_only", "[1e+]", at: 4),
        InvalidDocument("n_number_exponent_two_signs", "1e+-2", at: 3),
        InvalidDocument("n_number_minus_alone", "-", at: 1),
        InvalidDocument("n_number_double_minus", "--1", at: 1),
        InvalidDocument("n_number_space_after_minus", "[- 1]", at: 2),
        InvalidDocument("n_number_hex", "0x1F", at: 1),
        InvalidDocument("n_number_comma_as_decimal_point", "1,5", at: 1),
        InvalidDocument("n_number_overflows_double", "[1E400]", at: 1),
        // Strings
        InvalidDocument("n_string_single_quotes", "['a']", at: 1),
        InvalidDocument("n_string_unterminated", #""abc"#, at: 4),
        InvalidDocument("n_string_backslash_at_end", #""\"#, at: 2),
        InvalidDocument("n_string_unescaped_newline", "[\"a\nb\"]", at: 3),
        InvalidDocument("n_string_unescaped_tab", "\"\t\"", at: 1),
        InvalidDocument("n_string_unescaped_nul", bytes: [quote, 0x00, quote], at: 1),
        InvalidDocument("n_string_unescaped_unit_separator", bytes: [quote, 0x61, 0x1F, quote], at: 2),
        InvalidDocument("n_string_invalid_escape", #""\x41""#, at: 1),
        InvalidDocument("n_string_escaped_apostrophe", #""\'""#, at: 1),
        InvalidDocument("n_string_uppercase_U_escape", #""\U0041""#, at: 1),
        InvalidDocument("n_string_short_unicode_escape", #""\u12""#, at: 1),
        InvalidDocument("n_string_non_hex_unicode_escape", #""ab\u00G0""#, at: 3),
        InvalidDocument("n_string_lone_high_surrogate", #""\uD800""#, at: 1),
        InvalidDocument("n_string_lone_low_surrogate", #""\uDC00""#, at: 1),
        InvalidDocument("n_string_reversed_surrogates", #""\uDC00\uD800""#, at: 1),
        InvalidDocument("n_string_high_surrogate_then_text", #""\uD800abc""#, at: 1),
        InvalidDocument("n_string_high_surrogate_then_short_escape", #""\uD800\n""#, at: 1),
        InvalidDocument("n_string_high_surrogate_then_BMP_escape", #""\uD800\u0041""#, at: 7),
        InvalidDocument("n_string_two_high_surrogates", #""\uD83D\uD83D""#, at: 7),
        // UTF-8
        InvalidDocument("n_utf8_overlong_two_bytes", bytes: [quote, 0xC0, 0xAF, quote], at: 1),
        InvalidDocument("n_utf8_overlong_C1", bytes: [quote, 0xC1, 0xBF, quote], at: 1),
        InvalidDocument("n_utf8_overlong_three_bytes", bytes: [quote, 0xE0, 0x80, 0xAF, quote], at: 1),
        InvalidDocument("n_utf8_overlong_four_bytes", bytes: [quote, 0xF0, 0x80, 0x80, 0xAF, quote], at: 1),
        InvalidDocument("n_utf8_encoded_high_surrogate", bytes: [quote, 0xED, 0xA0, 0x80, quote], at: 1),
        InvalidDocument("n_utf8_encoded_low_surrogate", bytes: [quote, 0x61, 0xED, 0xBF, 0xBF, quote], at: 2),
        InvalidDocument("n_utf8_above_U+10FFFF", bytes: [quote, 0xF4, 0x90, 0x80, 0x80, quote], at: 1),
        InvalidDocument("n_utf8_lead_F5", bytes: [quote, 0xF5, 0x80, 0x80, 0x80, quote], at: 1),
        InvalidDocument("n_utf8_byte_FF", bytes: [quote, 0xFF, quote], at: 1),
        InvalidDocument("n_utf8_lone_continuation", bytes: [quote, 0x80, quote], at: 1),
        InvalidDocument("n_utf8_truncated_before_quote", bytes: [quote, 0xC3, quote], at: 1),
        InvalidDocument("n_utf8_truncated_and_unterminated", bytes: [quote, 0xE2, 0x82], at: 3),
        InvalidDocument("n_utf8_truncated_four_bytes", bytes: [quote, 0xF0, 0x9F, 0x98, quote], at: 1),
        InvalidDocument("n_utf8_outside_a_string", bytes: [0x5B, 0xFF, 0x5D], at: 1),
    ]

    @Test func theListIsLongEnough() {
        #expect(Self.documents.count >= 40)
        #expect(Set(Self.documents.map(\.name)).count == Self.documents.count, "names are unique")
    }

    @Test(arguments: documents)
    func isRefusedAtTheRightByte(document: InvalidDocument) throws {
        let error = try #require(parseFailure(document.input))
        #expect(error.offset == document.offset, "\(error)")
        #expect(!error.message.isEmpty)
    }

    /// The same refusal whatever the input arrived as.
    @Test(arguments: documents)
    func isRefusedThroughEveryOverload(document: InvalidDocument) throws {
        let expected = try #require(parseFailure(document.input))
        let padded = [0x20, 0x20] + document.input
        #expect(throws: expected) { try JSONValue.parse(padded[2...]) }
        #expect(throws: expected) { try document.input.withUnsafeBytes { try JSONValue.parse($0) } }
    }
}
