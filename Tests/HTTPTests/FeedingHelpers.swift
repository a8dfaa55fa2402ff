import Testing
@testable import HTTP

// Feeding helpers: every input is offered whole and also cut at every byte boundary, as picohttpparser's
// tests do, so a parser that only works when a head or body arrives in one read cannot pass.

/// The UTF-8 bytes of a request written with explicit "\r\n" line ends.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A named input for parameterized tests; the name is what the test report shows.
struct ByteCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]

    init(_ name: String, _ input: [UInt8]) {
        self.name = name
        self.input = input
    }

    init(_ name: String, _ text: String) {
        self.init(name, bytes(text))
    }

    var testDescription: String { name }
}

// MARK: - Head parser

/// Feeds `input` to `HTTPRequestHeadParser` whole, as growing prefixes offered to one parser (0, 1, … n
/// bytes), and as one prefix of every length followed by the whole input. Expects `.needMore` until the
/// head's last byte is offered and the same `.complete` from then on. Returns the head and bytes consumed.
@discardableResult
func expectHead(
    _ input: [UInt8], limits: HTTPParserLimits = HTTPParserLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> (head: HTTPRequestHead, consumed: Int)? {
    var whole = HTTPRequestHeadParser(limits: limits)
    let expected = whole.parse(input)
    guard case .complete(let head, let consumed) = expected else {
        Issue.record("whole input: expected a complete head, got \(expected)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(consumed <= input.count, "consumed more than offered", sourceLocation: sourceLocation)

    // One parser, offered the pending request again and again as it grows.
    var growing = HTTPRequestHeadParser(limits: limits)
    for length in 0...consumed {
        let result = growing.parse(Array(input[0..<length]))
        let wanted = length < consumed ? HTTPHeadParseResult.needMore : expected
        guard result == wanted else {
            Issue.record("growing prefix of \(length)/\(input.count) bytes: expected \(wanted), got \(result)",
                         sourceLocation: sourceLocation)
            return nil
        }
    }

    // A fresh parser cut once at every position, then offered everything.
    for cut in 0..<input.count {
        var parser = HTTPRequestHeadParser(limits: limits)
        let first = parser.parse(Array(input[0..<cut]))
        if cut < consumed {
            guard first == .needMore else {
                Issue.record("cut at \(cut): expected needMore, got \(first)", sourceLocation: sourceLocation)
                return nil
            }
            let second = parser.parse(input)
            guard second == expected else {
                Issue.record("cut at \(cut) then whole: expected \(expected), got \(second)", sourceLocation: sourceLocation)
                return nil
            }
        } else {
            guard first == expected else {
                Issue.record("cut at \(cut) (after the head): expected \(expected), got \(first)", sourceLocation: sourceLocation)
                return nil
            }
        }
    }
    return (head, consumed)
}

/// Feeds `input` whole and cut at every byte; the first answer that is not `.needMore` must be
/// `.failed(error)`, at or before the full input (an error may be seen on a prefix). Returns the length of
/// the shortest prefix on which the growing feed reported the error, so limit tests can check it is early.
@discardableResult
func expectHeadFailure(
    _ input: [UInt8], _ error: HTTPParseError, limits: HTTPParserLimits = HTTPParserLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> Int? {
    let expected = HTTPHeadParseResult.failed(error)
    var whole = HTTPRequestHeadParser(limits: limits)
    let wholeResult = whole.parse(input)
    guard wholeResult == expected else {
        Issue.record("whole input: expected \(expected), got \(wholeResult)", sourceLocation: sourceLocation)
        return nil
    }

    var reportedAt: Int? = nil
    var growing = HTTPRequestHeadParser(limits: limits)
    for length in 0...input.count {
        let result = growing.parse(Array(input[0..<length]))
        if result == .needMore { continue }
        guard result == expected else {
            Issue.record("growing prefix of \(length)/\(input.count) bytes: expected \(expected), got \(result)",
                         sourceLocation: sourceLocation)
            return nil
        }
        reportedAt = length
        break
    }
    guard let reportedAt else {
        Issue.record("growing feed never failed", sourceLocation: sourceLocation)
        return nil
    }

    for cut in 0..<input.count {
        var parser = HTTPRequestHeadParser(limits: limits)
        let first = parser.parse(Array(input[0..<cut]))
        let final = first == .needMore ? parser.parse(input) : first
        guard final == expected else {
            Issue.record("cut at \(cut): expected \(expected), got \(first) then \(final)", sourceLocation: sourceLocation)
            return nil
        }
    }
    return reportedAt
}

/// Every prefix of `input`, and `input` itself, is an incomplete head.
func expectHeadNeedsMore(
    _ input: [UInt8], limits: HTTPParserLimits = HTTPParserLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var growing = HTTPRequestHeadParser(limits: limits)
    for length in 0...input.count {
        let result = growing.parse(Array(input[0..<length]))
        guard result == .needMore else {
            Issue.record("prefix of \(length)/\(input.count) bytes: expected needMore, got \(result)",
                         sourceLocation: sourceLocation)
            return
        }
    }
}

// MARK: - Body decoder

/// Where decoding a body ended after all pieces were offered.
enum BodyOutcome: Equatable, CustomStringConvertible {
    /// The body ended after `consumed` bytes of the input.
    case complete(body: [UInt8], consumed: Int)
    /// Every byte was consumed and the decoder wants more.
    case incomplete(body: [UInt8])
    case failed(HTTPParseError)

    static func complete(_ body: String, consumed: Int) -> BodyOutcome { .complete(body: bytes(body), consumed: consumed) }

    var description: String {
        switch self {
        case .complete(let body, let consumed): return "complete(\(String(decoding: body, as: UTF8.self).debugDescription), consumed: \(consumed))"
        case .incomplete(let body): return "incomplete(\(String(decoding: body, as: UTF8.self).debugDescription))"
        case .failed(let error): return "failed(\(error))"
        }
    }
}

/// Offers `pieces` in order to one decoder, checking that `.progress` always consumed the whole piece.
func decodeBody(
    _ framing: HTTPBodyFraming, pieces: [ArraySlice<UInt8>], limits: HTTPParserLimits = HTTPParserLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> BodyOutcome {
    var decoder = HTTPBodyDecoder(framing: framing, limits: limits)
    var body: [UInt8] = []
    var offset = 0
    for piece in pieces {
        switch decoder.decode(Array(piece), into: &body) {
        case .progress(let consumed):
            #expect(consumed == piece.count, "progress must consume the whole piece", sourceLocation: sourceLocation)
            #expect(!decoder.isComplete, sourceLocation: sourceLocation)
            offset += consumed
        case .complete(let consumed):
            #expect(consumed <= piece.count, sourceLocation: sourceLocation)
            #expect(decoder.isComplete, sourceLocation: sourceLocation)
            #expect(decoder.bodyBytes == body.count, sourceLocation: sourceLocation)
            return .complete(body: body, consumed: offset + consumed)
        case .failed(let error):
            return .failed(error)
        }
    }
    #expect(decoder.bodyBytes == body.count, sourceLocation: sourceLocation)
    return .incomplete(body: body)
}

/// Decodes `input` whole, one byte at a time, in two pieces cut at every position and (for inputs up to
/// `maxThreePieceBytes`) in three pieces cut at every pair of positions; every feed must give `expected`.
func expectBody(
    _ framing: HTTPBodyFraming, _ input: [UInt8], _ expected: BodyOutcome,
    limits: HTTPParserLimits = HTTPParserLimits(), maxThreePieceBytes: Int = 200,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    func check(_ pieces: [ArraySlice<UInt8>], _ how: @autoclosure () -> String) -> Bool {
        let outcome = decodeBody(framing, pieces: pieces, limits: limits, sourceLocation: sourceLocation)
        guard outcome == expected else {
            Issue.record("\(how()): expected \(expected), got \(outcome)", sourceLocation: sourceLocation)
            return false
        }
        return true
    }
    guard check([input[...]], "whole") else { return }
    guard check(input.indices.map { input[$0..<($0 + 1)] }, "one byte at a time") else { return }
    for cut in 0...input.count {
        guard check([input[0..<cut], input[cut...]], "cut at \(cut)") else { return }
    }
    guard input.count <= maxThreePieceBytes else { return }
    for first in 0...input.count {
        for second in first...input.count {
            guard check([input[0..<first], input[first..<second], input[second...]], "cut at \(first) and \(second)")
            else { return }
        }
    }
}

/// A head the parser must refuse, the error it must report, and the status that error maps to.
struct HeadErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let error: HTTPParseError
    let status: Int

    init(_ name: String, _ input: [UInt8], _ error: HTTPParseError, status: Int) {
        self.name = name
        self.input = input
        self.error = error
        self.status = status
    }

    init(_ name: String, _ text: String, _ error: HTTPParseError, status: Int) {
        self.init(name, bytes(text), error, status: status)
    }

    var testDescription: String { name }
}

/// Runs an error case through `expectHeadFailure` and checks the status its error maps to.
func expectHeadFailure(_ testCase: HeadErrorCase, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(testCase.error.status.code == testCase.status, "status of \(testCase.error)", sourceLocation: sourceLocation)
    expectHeadFailure(testCase.input, testCase.error, sourceLocation: sourceLocation)
}
