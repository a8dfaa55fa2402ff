import Testing
@testable import HTTP

/// Size limits on the head (docs/api.md, Size limits): request line → 414, header section → 431,
/// declared Content-Length → 413. Each is reported as soon as it is exceeded, not when the head ends, so a
/// client cannot make the server buffer without bound.
@Suite struct HeadParserLimitTests {
    /// Small limits so every input can be cut at every byte quickly.
    static let limits = HTTPParserLimits(maxRequestLineBytes: 32, maxHeaderBytes: 128, maxBodyBytes: 10)

    /// A GET request line of exactly `length` bytes (CRLF excluded).
    static func requestLine(length: Int) -> String {
        let fixed = "GET /".utf8.count + " HTTP/1.1".utf8.count
        return "GET /" + String(repeating: "a", count: length - fixed) + " HTTP/1.1"
    }

    @Test func contractDefaults() {
        let limits = HTTPParserLimits()
        #expect(limits.maxRequestLineBytes == 8192)
        #expect(limits.maxHeaderBytes == 16384)
        #expect(limits.maxBodyBytes == 1_048_576)
        #expect(limits.maxChunkExtensionBytes == 1024)
    }

    @Test func requestLineExactlyAtTheLimitPasses() throws {
        let line = Self.requestLine(length: 32)
        let (head, _) = try #require(expectHead(bytes(line + "\r\nHost: a\r\n\r\n"), limits: Self.limits))
        #expect(head.target.utf8.count == 32 - "GET  HTTP/1.1".utf8.count)
    }

    @Test func requestLineOverTheLimitIs414BeforeItsEnd() throws {
        let input = bytes(Self.requestLine(length: 33) + "\r\nHost: a\r\n\r\n")
        let reportedAt = try #require(expectHeadFailure(input, .requestLineTooLong, limits: Self.limits))
        #expect(reportedAt == 33, "reported on the byte that crossed the limit, before any CRLF")
        #expect(HTTPParseError.requestLineTooLong.status.code == 414)
    }

    @Test func endlessRequestLineIs414OnAPrefix() throws {
        let input = bytes("GET /" + String(repeating: "x", count: 200))
        let reportedAt = try #require(expectHeadFailure(input, .requestLineTooLong, limits: Self.limits))
        #expect(reportedAt == 33)
    }

    @Test func leadingEmptyLinesDoNotCountTowardTheRequestLine() throws {
        let input = bytes("\r\n\r\n" + Self.requestLine(length: 32) + "\r\nHost: a\r\n\r\n")
        _ = try #require(expectHead(input, limits: Self.limits))
    }

    @Test func defaultRequestLineLimitIs8192() {
        let fits = bytes(Self.requestLine(length: 8192) + "\r\nHost: a\r\n\r\n")
        var parser = HTTPRequestHeadParser()
        guard case .complete = parser.parse(fits) else {
            Issue.record("a request line of 8192 bytes must pass")
            return
        }
        var tooLong = HTTPRequestHeadParser()
        #expect(tooLong.parse(bytes(Self.requestLine(length: 8193))) == .failed(.requestLineTooLong))
    }

    /// A head of `length` bytes from the request line through the last field line's CRLF, then the empty line.
    static func head(length: Int) -> [UInt8] {
        let fixed = "GET / HTTP/1.1\r\nHost: a\r\nX: \r\n".utf8.count
        return bytes("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: length - fixed) + "\r\n\r\n")
    }

    @Test func headerSectionExactlyAtTheLimitPasses() throws {
        let input = Self.head(length: 128)
        let (_, consumed) = try #require(expectHead(input, limits: Self.limits))
        #expect(consumed == 128 + 2, "the limit covers the fields, not the final empty line")
    }

    @Test func headerSectionOverTheLimitIs431() {
        expectHeadFailure(Self.head(length: 129), .headersTooLarge, limits: Self.limits)
        #expect(HTTPParseError.headersTooLarge.status.code == 431)
    }

    @Test func endlessFieldValueIs431OnAPrefix() throws {
        let input = bytes("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 400))
        let reportedAt = try #require(expectHeadFailure(input, .headersTooLarge, limits: Self.limits))
        #expect(reportedAt == 129)
    }

    @Test func endlessFieldLinesAre431OnAPrefix() throws {
        let input = bytes("GET / HTTP/1.1\r\n" + String(repeating: "X-Field: a\r\n", count: 40))
        let reportedAt = try #require(expectHeadFailure(input, .headersTooLarge, limits: Self.limits))
        #expect(reportedAt <= 130)
    }

    /// Regression: empty lines before the request line were skipped without ever meeting a limit, so a
    /// client sending only CRLFs kept the parser answering needMore while the caller's buffer grew.
    @Test func endlessEmptyLinesBeforeTheRequestLineAre431() throws {
        let input = bytes(String(repeating: "\r\n", count: 400))
        let reportedAt = try #require(expectHeadFailure(input, .headersTooLarge, limits: Self.limits))
        #expect(reportedAt <= 2 * 128 + 2)
    }

    @Test func someEmptyLinesBeforeTheRequestLineStillPass() throws {
        let input = bytes(String(repeating: "\r\n", count: 50) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let (_, consumed) = try #require(expectHead(input, limits: Self.limits))
        #expect(consumed == input.count)
    }

    @Test func headerLimitAlsoBoundsTheRequestLine() throws {
        let limits = HTTPParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 32)
        let reportedAt = try #require(expectHeadFailure(bytes(Self.requestLine(length: 40) + "\r\n"), .headersTooLarge, limits: limits))
        #expect(reportedAt == 33)
    }

    @Test func requestLineLimitWinsWhenBothAreCrossed() {
        let limits = HTTPParserLimits(maxRequestLineBytes: 32, maxHeaderBytes: 32)
        expectHeadFailure(bytes(Self.requestLine(length: 40) + "\r\nHost: a\r\n\r\n"), .requestLineTooLong, limits: limits)
    }

    @Test(arguments: [0, 1, 9, 10])
    func contentLengthWithinTheBodyLimitPasses(length: Int) throws {
        let input = bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(length)\r\n\r\n")
        let (head, _) = try #require(expectHead(input, limits: Self.limits))
        #expect(head.framing == (length == 0 ? .none : .contentLength(length)))
    }

    @Test(arguments: ["11", "1000", "999999999999999999"])
    func contentLengthOverTheBodyLimitIs413AtHeadTime(length: String) {
        let input = bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(length)\r\n\r\n")
        expectHeadFailure(input, .bodyTooLarge, limits: Self.limits)
        #expect(HTTPParseError.bodyTooLarge.status.code == 413)
    }

    @Test func defaultBodyLimitIsOneMebibyte() {
        var fits = HTTPRequestHeadParser()
        guard case .complete(let head, _) = fits.parse(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n")) else {
            Issue.record("Content-Length 1048576 must pass")
            return
        }
        #expect(head.framing == .contentLength(1_048_576))
        var tooLarge = HTTPRequestHeadParser()
        #expect(tooLarge.parse(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n")) == .failed(.bodyTooLarge))
    }

    @Test func zeroBodyLimitStillAcceptsEmptyBodies() throws {
        let limits = HTTPParserLimits(maxBodyBytes: 0)
        _ = try #require(expectHead(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"), limits: limits))
        expectHeadFailure(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n"), .bodyTooLarge, limits: limits)
    }
}
