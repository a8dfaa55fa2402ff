import Testing
@testable import JSON

/// The UTF-8 of `text`, for inputs that are then extended with raw bytes.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Parses `text`, which the test expects to be valid JSON.
func parse(_ text: String, limits: JSONParserLimits = JSONParserLimits()) throws -> JSONValue {
    try JSONValue.parse(text, limits: limits)
}

/// The error parsing `input` throws; nil, with an issue recorded, when it parses.
func parseFailure(
    _ input: [UInt8], limits: JSONParserLimits = JSONParserLimits(), sourceLocation: SourceLocation = #_sourceLocation
) -> JSONError? {
    do {
        let value = try JSONValue.parse(input, limits: limits)
        Issue.record("expected an error, parsed \(String(value.text.prefix(80)))", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The error parsing `text` throws; see `parseFailure(_: [UInt8])`.
func parseFailure(
    _ text: String, limits: JSONParserLimits = JSONParserLimits(), sourceLocation: SourceLocation = #_sourceLocation
) -> JSONError? {
    parseFailure(bytes(text), limits: limits, sourceLocation: sourceLocation)
}

/// `count` arrays nested inside each other, around `1` at the center.
func nestedArrays(_ count: Int) -> String {
    String(repeating: "[", count: count) + "1" + String(repeating: "]", count: count)
}
