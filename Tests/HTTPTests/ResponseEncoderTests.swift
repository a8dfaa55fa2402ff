import Testing
@testable import HTTP

/// The exact bytes `HTTPResponseEncoder` writes (RFC 9112 §4, §6, §7.1).
@Suite struct ResponseEncoderTests {
    static let date = "Sun, 06 Nov 1994 08:49:37 GMT"
    static let preamble = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: agentd\r\n"

    static func head(
        _ status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), framing: HTTPResponseFraming,
        keepAlive: Bool = true, version: HTTPVersion = .http1_1
    ) -> String {
        var out: [UInt8] = []
        HTTPResponseEncoder.writeHead(status: status, headers: headers, framing: framing, keepAlive: keepAlive,
                                      requestVersion: version, date: bytes(date), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func chunk(_ data: [UInt8]) -> String {
        var out: [UInt8] = []
        data.withUnsafeBytes { HTTPResponseEncoder.writeChunk($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func headWithContentLength() {
        let text = Self.head(headers: ["Content-Type": "text/plain"], framing: .contentLength(5))
        #expect(text == "HTTP/1.1 200 OK\r\n" + Self.preamble + "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func headWithChunkedFraming() {
        let text = Self.head(headers: ["Content-Type": "text/event-stream"], framing: .chunked)
        #expect(text == "HTTP/1.1 200 OK\r\n" + Self.preamble + "Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    @Test func closeDelimitedStreamToHTTP10() {
        let text = Self.head(headers: ["Content-Type": "text/event-stream"], framing: .closeDelimited,
                             keepAlive: false, version: .http1_0)
        #expect(text == "HTTP/1.1 200 OK\r\n" + Self.preamble + "Content-Type: text/event-stream\r\nConnection: close\r\n\r\n")
    }

    @Test func connectionCloseWhenNotKeepingAlive() {
        let text = Self.head(.badRequest, framing: .contentLength(2), keepAlive: false)
        #expect(text == "HTTP/1.1 400 Bad Request\r\n" + Self.preamble + "Content-Length: 2\r\nConnection: close\r\n\r\n")
    }

    @Test func keepAliveAnsweredForHTTP10KeepAliveRequest() {
        let text = Self.head(framing: .contentLength(2), keepAlive: true, version: .http1_0)
        #expect(text == "HTTP/1.1 200 OK\r\n" + Self.preamble + "Content-Length: 2\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func emptyBodyStillSaysContentLengthZero() {
        let text = Self.head(.created, framing: .contentLength(0))
        #expect(text == "HTTP/1.1 201 Created\r\n" + Self.preamble + "Content-Length: 0\r\n\r\n")
    }

    @Test(arguments: [(HTTPStatus.noContent, "204 No Content"), (.notModified, "304 Not Modified"), (.continue, "100 Continue")])
    func statusWithoutABodyHasNoContentLength(status: HTTPStatus, line: String) {
        let text = Self.head(status, framing: .contentLength(0))
        #expect(text == "HTTP/1.1 \(line)\r\n" + Self.preamble + "\r\n")
    }

    @Test func fieldsAreWrittenInOrderAsGiven() {
        var headers = HTTPHeaders()
        headers.add("X-B", "2")
        headers.add("x-a", "1")
        headers.add("X-B", "3")
        let text = Self.head(headers: headers, framing: .contentLength(0))
        #expect(text == "HTTP/1.1 200 OK\r\n" + Self.preamble + "X-B: 2\r\nx-a: 1\r\nX-B: 3\r\nContent-Length: 0\r\n\r\n")
    }

    /// Regression guard: a value carrying CR or LF must not start a new field or end the head (response splitting).
    @Test func crLfAndNulInFieldsAreReplacedBySpaces() {
        let headers: HTTPHeaders = ["X-Evil": "a\r\nSet-Cookie: x=1\r\n\r\n<html>", "X-Nul": "a\u{0}b", "X\r\nName": "v\rw\nz"]
        let text = Self.head(headers: headers, framing: .contentLength(0))
        #expect(text == "HTTP/1.1 200 OK\r\n" + Self.preamble
            + "X-Evil: a  Set-Cookie: x=1    <html>\r\nX-Nul: a b\r\nX  Name: v w z\r\nContent-Length: 0\r\n\r\n")
        let wire = Array(text.utf8)
        #expect(wire.firstRange(of: bytes("\r\n\r\n"))?.upperBound == wire.count, "the head ends only at its end")
    }

    @Test func customReasonPhraseIsSanitized() {
        let text = Self.head(HTTPStatus(code: 200, reasonPhrase: "Fine\r\nX-Injected: 1"), framing: .contentLength(0))
        #expect(text.hasPrefix("HTTP/1.1 200 Fine  X-Injected: 1\r\nDate: "))
    }

    @Test func unknownStatusCode() {
        #expect(Self.head(HTTPStatus(code: 599), framing: .contentLength(0)).hasPrefix("HTTP/1.1 599 Unknown\r\n"))
    }

    @Test func everyStandardStatusLine() {
        for (code, reason) in HTTPStatus.standardReasons {
            let text = Self.head(HTTPStatus(code: code), framing: .contentLength(0))
            #expect(text.hasPrefix("HTTP/1.1 \(code) \(reason)\r\nDate: "))
        }
        #expect(HTTPStatus.payloadTooLarge.reasonPhrase == "Content Too Large")
        #expect(HTTPStatus.headersTooLarge.reasonPhrase == "Request Header Fields Too Large")
    }

    @Test func headIsAppendedToTheBuffer() {
        var out = bytes("previous")
        HTTPResponseEncoder.writeHead(status: .ok, headers: HTTPHeaders(), framing: .contentLength(1), keepAlive: true,
                                      requestVersion: .http1_1, date: bytes(Self.date), into: &out)
        #expect(String(decoding: out, as: UTF8.self).hasPrefix("previousHTTP/1.1 200 OK\r\n"))
    }

    @Test(arguments: [
        (1, "1"), (9, "9"), (10, "a"), (15, "f"), (16, "10"), (255, "ff"), (256, "100"), (4096, "1000"), (65535, "ffff"),
    ])
    func chunkSizeIsLowercaseHex(length: Int, hex: String) {
        let data = [UInt8](repeating: 0x2E, count: length)
        #expect(Self.chunk(data) == hex + "\r\n" + String(repeating: ".", count: length) + "\r\n")
    }

    @Test(arguments: [(0, "0"), (1, "1"), (0xABCDEF, "abcdef"), (Int.max, "7fffffffffffffff")])
    func hexDigits(value: Int, hex: String) {
        var out: [UInt8] = []
        HTTPResponseEncoder.appendHex(value, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == hex)
    }

    @Test(arguments: [1, 7, 10, 99, 100, 1_000, 1_048_576, 9_999_999, Int.max])
    func contentLengthIsDecimal(value: Int) {
        let text = Self.head(framing: .contentLength(value))
        #expect(text == "HTTP/1.1 200 OK\r\n" + Self.preamble + "Content-Length: \(value)\r\n\r\n")
    }

    @Test func emptyChunkWritesNothing() {
        #expect(Self.chunk([]) == "")
    }

    @Test func chunksDecodeBackToTheirData() {
        var wire: [UInt8] = []
        for piece in ["data: one\n\n", "", "x", String(repeating: "z", count: 300)] {
            bytes(piece).withUnsafeBytes { HTTPResponseEncoder.writeChunk($0, into: &wire) }
        }
        wire += HTTPResponseEncoder.lastChunk
        expectBody(.chunked, wire, .complete("data: one\n\nx" + String(repeating: "z", count: 300), consumed: wire.count),
                   maxThreePieceBytes: 0)
    }

    @Test func lastChunkAndContinue() {
        #expect(HTTPResponseEncoder.lastChunk == bytes("0\r\n\r\n"))
        #expect(HTTPResponseEncoder.continueResponse == bytes("HTTP/1.1 100 Continue\r\n\r\n"))
    }

    @Test func jsonResponseAddsContentType() {
        let response = HTTPResponse.json(.ok, "{\"a\":1}", headers: ["X-Request-Id": "r1"])
        #expect(response.headers.fields == [HTTPField(name: "X-Request-Id", value: "r1"),
                                            HTTPField(name: "Content-Type", value: "application/json")])
        #expect(response.body == bytes("{\"a\":1}"))
    }
}
