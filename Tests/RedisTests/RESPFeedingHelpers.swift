import Testing
@testable import Redis

// Feeding helpers: every reply is offered whole and also cut at every byte, as picohttpparser's tests do,
// so a parser that only works when a reply arrives in one read cannot pass. Prefixes are offered as
// rebased slices of one buffer, so a read past the offered bytes trips the bounds check of a debug build.

/// The UTF-8 bytes of a reply written with explicit "\r\n" line ends.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Parses the first `length` bytes of `input`, as a connection offers what has arrived so far.
func parsePrefix(_ input: [UInt8], length: Int, limits: RESPParserLimits = .default) -> RESPParseResult {
    input.withUnsafeBytes { RESPParser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<length]), limits: limits) }
}

/// Wire text as a test argument: the report shows it escaped ("+OK\r\n"), not broken across lines.
struct WireText: Sendable, ExpressibleByStringLiteral, CustomTestStringConvertible {
    let text: String
    init(stringLiteral text: String) { self.text = text }
    var bytes: [UInt8] { Array(text.utf8) }
    var testDescription: String { text.debugDescription }
}

/// A named input for parameterized tests; the name is what the test report shows.
struct ReplyCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let expected: RESPValue

    init(_ name: String, _ text: String, _ expected: RESPValue) {
        self.init(name, bytes(text), expected)
    }

    init(_ name: String, _ input: [UInt8], _ expected: RESPValue) {
        self.name = name
        self.input = input
        self.expected = expected
    }

    var testDescription: String { name }
}

/// A named input that must fail with `error`.
struct FailureCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let error: RESPParseError

    init(_ name: String, _ text: String, _ error: RESPParseError) {
        self.init(name, bytes(text), error)
    }

    init(_ name: String, _ input: [UInt8], _ error: RESPParseError) {
        self.name = name
        self.input = input
        self.error = error
    }

    var testDescription: String { name }
}

/// Expects the first reply of `input` to be `expected`, ending after `consumed` bytes (all of `input` when
/// nil). Every strict prefix of the reply must be `.needMore`, never an error or a value; the same answer
/// must come when another reply follows it in the buffer (pipelining). Returns whether all held.
@discardableResult
func expectReply(
    _ input: [UInt8], _ expected: RESPValue, consumed: Int? = nil, limits: RESPParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    let length = consumed ?? input.count
    let wanted = RESPParseResult.value(expected, consumed: length)
    let whole = parsePrefix(input, length: input.count, limits: limits)
    guard whole == wanted else {
        Issue.record("whole input: expected \(wanted), got \(whole)", sourceLocation: sourceLocation)
        return false
    }
    #expect(RESPParser.parse(input, limits: limits) == wanted, "the [UInt8] overload agrees", sourceLocation: sourceLocation)
    for cut in 0..<length {
        let result = parsePrefix(input, length: cut, limits: limits)
        guard result == .needMore else {
            Issue.record("prefix of \(cut)/\(length) bytes: expected needMore, got \(result)", sourceLocation: sourceLocation)
            return false
        }
    }
    let followed = input + bytes("+NEXT\r\n")
    let pipelined = parsePrefix(followed, length: followed.count, limits: limits)
    guard pipelined == wanted else {
        Issue.record("with a reply after it: expected \(wanted), got \(pipelined)", sourceLocation: sourceLocation)
        return false
    }
    return true
}

/// Expects `input` to fail with `error`: whole, with more bytes after it, and on every prefix that is not
/// `.needMore` (an error may be seen before the whole input has arrived, and must then be the same error).
/// Returns the length of the shortest failing prefix, so tests can check the error comes early.
@discardableResult
func expectFailure(
    _ input: [UInt8], _ error: RESPParseError, limits: RESPParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Int? {
    let wanted = RESPParseResult.failure(error)
    let whole = parsePrefix(input, length: input.count, limits: limits)
    guard whole == wanted else {
        Issue.record("whole input: expected \(wanted), got \(whole)", sourceLocation: sourceLocation)
        return nil
    }
    let followed = input + bytes("+NEXT\r\n")
    let extended = parsePrefix(followed, length: followed.count, limits: limits)
    guard extended == wanted else {
        Issue.record("with more bytes after it: expected \(wanted), got \(extended)", sourceLocation: sourceLocation)
        return nil
    }
    var reportedAt: Int? = nil
    for cut in 0..<input.count {
        let result = parsePrefix(input, length: cut, limits: limits)
        if result == .needMore {
            guard reportedAt == nil else {
                Issue.record("prefix of \(cut) bytes: needMore after the error was seen at \(reportedAt!)", sourceLocation: sourceLocation)
                return nil
            }
            continue
        }
        guard result == wanted else {
            Issue.record("prefix of \(cut)/\(input.count) bytes: expected \(wanted) or needMore, got \(result)",
                         sourceLocation: sourceLocation)
            return nil
        }
        if reportedAt == nil { reportedAt = cut }
    }
    return reportedAt ?? input.count
}

/// `count` arrays, each the only element of the one around it, around `innermost`.
func nestedArrays(_ count: Int, around innermost: String = ":1\r\n") -> [UInt8] {
    bytes(String(repeating: "*1\r\n", count: count) + innermost)
}

/// The value `nestedArrays(count, around: ":1\r\n")` parses to.
func nestedArrayValue(_ count: Int) -> RESPValue {
    var value = RESPValue.integer(1)
    for _ in 0..<count { value = .array([value]) }
    return value
}
