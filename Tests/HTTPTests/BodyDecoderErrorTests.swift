import Testing
@testable import HTTP

/// Chunked bodies the decoder must refuse (RFC 9112 §7.1), and the body and trailer limits. Each error must
/// be the same however the input is cut, and must map to its status: 400, 413 or 431.
@Suite struct BodyDecoderErrorTests {
    struct BodyErrorCase: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [UInt8]
        let error: HTTPParseError
        let status: Int

        init(_ name: String, _ input: [UInt8], _ error: HTTPParseError, status: Int = 400) {
            self.name = name
            self.input = input
            self.error = error
            self.status = status
        }

        init(_ name: String, _ text: String, _ error: HTTPParseError, status: Int = 400) {
            self.init(name, bytes(text), error, status: status)
        }

        var testDescription: String { name }
    }

    static func expectFailure(_ testCase: BodyErrorCase, limits: HTTPParserLimits = HTTPParserLimits(),
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(testCase.error.status.code == testCase.status, sourceLocation: sourceLocation)
        expectBody(.chunked, testCase.input, .failed(testCase.error), limits: limits, sourceLocation: sourceLocation)
    }

    static let invalidSize = HTTPParseError.malformed("invalid chunk size")
    static let sizeTooLong = HTTPParseError.malformed("chunk size too long")
    static let controlInExtension = HTTPParseError.malformed("control character in chunk extension")

    @Test(arguments: [
        BodyErrorCase("invalid hex digit", "g\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("hex digit then junk", "5g\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("negative size", "-5\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("plus sign", "+5\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("empty size", "\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("empty size before an extension", ";a\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("whitespace before the size", " 5\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("whitespace after the size without an extension", "5 \r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("second size after whitespace", "5 6\r\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("empty size line where the last chunk belongs", "5\r\nhello\r\n\r\n", invalidSize),
        BodyErrorCase("16 hex digits", "0000000000000005\r\nhello\r\n0\r\n\r\n", sizeTooLong),
        BodyErrorCase("size past Int.max", "FFFFFFFFFFFFFFFFF\r\n", sizeTooLong),
        BodyErrorCase("bare LF after the size", "5\nhello\r\n0\r\n\r\n", invalidSize),
        BodyErrorCase("bare CR after the size", "5\rhello\r\n0\r\n\r\n", .malformed("bare CR after chunk size")),
        BodyErrorCase("bare CR after an extension", "5;a\rhello\r\n0\r\n\r\n", .malformed("bare CR after chunk size")),
        BodyErrorCase("bare LF after an extension", "5;a\nhello\r\n0\r\n\r\n", controlInExtension),
    ])
    func chunkSizeLine(_ testCase: BodyErrorCase) {
        Self.expectFailure(testCase)
    }

    @Test(arguments: [
        BodyErrorCase("data longer than its size", "5\r\nhelloX\r\n0\r\n\r\n", .malformed("chunk data longer than its size")),
        BodyErrorCase("data shorter than its size", "6\r\nhello\r\n0\r\n\r\n", .malformed("chunk data longer than its size")),
        BodyErrorCase("bare LF after the data", "5\r\nhello\n0\r\n\r\n", .malformed("chunk data longer than its size")),
        BodyErrorCase("bare CR after the data", "5\r\nhello\rX0\r\n\r\n", .malformed("bare CR after chunk data")),
        BodyErrorCase("CR CR after the data", "5\r\nhello\r\r\n0\r\n\r\n", .malformed("bare CR after chunk data")),
    ])
    func crlfAfterChunkData(_ testCase: BodyErrorCase) {
        Self.expectFailure(testCase)
    }

    @Test(arguments: [UInt8(0x00), 0x01, 0x0B, 0x1B, 0x7F])
    func controlByteInAChunkExtension(_ control: UInt8) {
        Self.expectFailure(BodyErrorCase("control \(control)", bytes("5;a=") + [control] + bytes("\r\nhello\r\n0\r\n\r\n"),
                                         Self.controlInExtension))
    }

    @Test func chunkExtensionOverTheLimitIs400() {
        let limits = HTTPParserLimits(maxChunkExtensionBytes: 8)
        Self.expectFailure(BodyErrorCase("nine bytes", "2;abcdefghi\r\nok\r\n0\r\n\r\n", .malformed("chunk extensions too long")),
                           limits: limits)
        Self.expectFailure(BodyErrorCase("on the last chunk", "2;abc\r\nok\r\n0;123456789\r\n\r\n",
                                         .malformed("chunk extensions too long")), limits: limits)
    }

    @Test func endlessChunkExtensionFailsWithoutALineEnd() {
        let input = bytes("5;" + String(repeating: "x", count: 2000))
        expectBody(.chunked, input, .failed(.malformed("chunk extensions too long")), maxThreePieceBytes: 0)
    }

    @Test(arguments: [
        BodyErrorCase("obs-fold with SP", "0\r\nX: a\r\n b\r\n\r\n", .malformed("invalid trailer field")),
        BodyErrorCase("obs-fold with HTAB", "0\r\nX: a\r\n\tb\r\n\r\n", .malformed("invalid trailer field")),
        BodyErrorCase("whitespace-led first trailer", "0\r\n X: a\r\n\r\n", .malformed("invalid trailer field")),
        BodyErrorCase("empty name", "0\r\n: a\r\n\r\n", .malformed("invalid trailer field")),
        BodyErrorCase("name with a parenthesis", "0\r\nHea(der: a\r\n\r\n", .malformed("invalid trailer field name")),
        BodyErrorCase("space before the colon", "0\r\nX : a\r\n\r\n", .malformed("invalid trailer field name")),
        BodyErrorCase("line without a colon", "0\r\nX\r\n\r\n", .malformed("invalid trailer field name")),
        BodyErrorCase("control byte in a value", bytes("0\r\nX: a") + [0x01] + bytes("\r\n\r\n"),
                      .malformed("control character in trailer field")),
        BodyErrorCase("NUL in a value", "0\r\nX: a\u{0}\r\n\r\n", .malformed("control character in trailer field")),
        BodyErrorCase("bare LF ending a trailer", "0\r\nX: a\n\r\n", .malformed("control character in trailer field")),
        BodyErrorCase("bare CR in a trailer", "0\r\nX: a\rb\r\n\r\n", .malformed("bare CR in trailer section")),
        BodyErrorCase("bare CR as the final line", "0\r\n\rX", .malformed("bare CR at end of chunked body")),
        BodyErrorCase("bare LF as the final line", "0\r\n\n", .malformed("invalid trailer field")),
    ])
    func trailerSection(_ testCase: BodyErrorCase) {
        Self.expectFailure(testCase)
    }

    @Test func bodyOverTheLimitIs413() {
        let limits = HTTPParserLimits(maxBodyBytes: 10)
        Self.expectFailure(BodyErrorCase("two chunks", "6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n", .bodyTooLarge, status: 413),
                           limits: limits)
        Self.expectFailure(BodyErrorCase("one chunk", "b\r\n", .bodyTooLarge, status: 413), limits: limits)
    }

    @Test func hugeChunkSizeIs413BeforeAnyData() {
        // Fifteen digits fit an Int; the size alone is over the limit, so no data is read.
        Self.expectFailure(BodyErrorCase("fifteen Fs", "FFFFFFFFFFFFFFF\r\n", .bodyTooLarge, status: 413))
    }

    @Test func trailersOverTheLimitAre431() {
        let limits = HTTPParserLimits(maxHeaderBytes: 16)
        Self.expectFailure(BodyErrorCase("one long trailer", "0\r\nX-T:0123456789abc\r\n\r\n", .headersTooLarge, status: 431),
                           limits: limits)
        Self.expectFailure(BodyErrorCase("several trailers", "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", .headersTooLarge,
                                         status: 431), limits: limits)
        Self.expectFailure(BodyErrorCase("endless trailer", "0\r\nX: " + String(repeating: "v", count: 100), .headersTooLarge,
                                         status: 431), limits: limits)
    }
}
