import Testing
@testable import HTTP

/// Bodies the decoder must accept (RFC 9112 §6.3, §7.1), each fed whole, one byte at a time and cut into
/// two and three pieces at every position; the decoded bytes and the bytes consumed must not depend on the cuts.
@Suite struct BodyDecoderTests {
    static let nextRequest = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"

    @Test func contentLengthBodyCutAnywhere() {
        expectBody(.contentLength(5), bytes("hello"), .complete("hello", consumed: 5))
    }

    @Test func contentLengthBodyIsOpaque() {
        let body: [UInt8] = [0x00, 0x0D, 0x0A, 0x30, 0x0D, 0x0A, 0x0D, 0x0A, 0xFF]
        expectBody(.contentLength(body.count), body, .complete(body: body, consumed: body.count))
    }

    @Test func contentLengthBodyLeavesTheNextRequest() {
        expectBody(.contentLength(5), bytes("hello" + Self.nextRequest), .complete("hello", consumed: 5))
    }

    @Test func truncatedContentLengthBodyWantsMore() {
        expectBody(.contentLength(10), bytes("hello"), .incomplete(body: bytes("hello")))
    }

    @Test func contentLengthProgressIsReported() {
        var decoder = HTTPBodyDecoder(framing: .contentLength(4))
        var body: [UInt8] = []
        #expect(decoder.decode(bytes("ab"), into: &body) == .progress(consumed: 2))
        #expect(decoder.bodyBytes == 2)
        #expect(!decoder.isComplete)
        #expect(decoder.decode(bytes("cdEXTRA"), into: &body) == .complete(consumed: 2))
        #expect(body == bytes("abcd"))
        #expect(decoder.isComplete)
    }

    /// Regression: a decoder with nothing left to read (framing `.none`, or a body already complete) trapped
    /// on "body data is copied in bulk, not stepped" when offered more bytes, instead of consuming none.
    @Test func finishedDecoderConsumesNothing() {
        var none = HTTPBodyDecoder(framing: .none)
        var body: [UInt8] = []
        #expect(none.isComplete)
        #expect(none.decode(bytes(Self.nextRequest), into: &body) == .complete(consumed: 0))
        #expect(none.decode([], into: &body) == .complete(consumed: 0))
        #expect(body.isEmpty)

        var chunked = HTTPBodyDecoder(framing: .chunked)
        #expect(chunked.decode(bytes("1\r\nx\r\n0\r\n\r\n"), into: &body) == .complete(consumed: 11))
        #expect(chunked.decode(bytes("more"), into: &body) == .complete(consumed: 0))
        #expect(body == bytes("x"))
    }

    @Test func chunkedWithSeveralChunks() {
        let input = "5\r\nhello\r\n6\r\n world\r\n1\r\n!\r\n0\r\n\r\n"
        expectBody(.chunked, bytes(input), .complete("hello world!", consumed: input.utf8.count))
    }

    @Test func emptyChunkedBody() {
        expectBody(.chunked, bytes("0\r\n\r\n"), .complete("", consumed: 5))
    }

    @Test(arguments: [
        ("a", "lowercase a"), ("A", "uppercase A"), ("1f", "lowercase 1f"), ("1F", "uppercase 1F"),
        ("00a", "leading zeros"), ("000000000000010", "15 hex digits"),
    ])
    func chunkSizeInHex(size: String, name: String) {
        let length = Int(size, radix: 16)!
        let data = String((0..<length).map { Character(UnicodeScalar(UInt8(0x61 + $0 % 26))) })
        let input = "\(size)\r\n\(data)\r\n0\r\n\r\n"
        expectBody(.chunked, bytes(input), .complete(data, consumed: input.utf8.count))
    }

    @Test func lastChunkSizeMayHaveLeadingZeros() {
        let input = "2\r\nok\r\n000\r\n\r\n"
        expectBody(.chunked, bytes(input), .complete("ok", consumed: input.utf8.count))
    }

    @Test(arguments: [
        "5;name=value", "5 ; a", "5\t;a", "5;a=\"quoted;\\\"value\"", "5;a;b=c;d", "5 ;a = b",
    ])
    func chunkExtensionsAreIgnored(sizeLine: String) {
        let input = "\(sizeLine)\r\nhello\r\n0;last=1\r\n\r\n"
        expectBody(.chunked, bytes(input), .complete("hello", consumed: input.utf8.count))
    }

    @Test func chunkExtensionExactlyAtTheLimitPasses() {
        let limits = HTTPParserLimits(maxChunkExtensionBytes: 8)
        // The count restarts on every chunk-size line, so two lines of eight each pass.
        let input = "2;abcdefgh\r\nok\r\n0;12345678\r\n\r\n"
        expectBody(.chunked, bytes(input), .complete("ok", consumed: input.utf8.count), limits: limits)
    }

    @Test(arguments: [
        "X-Checksum: abc\r\n",
        "X-Checksum: abc\r\nX-Other:  spaced value \r\n",
        "Empty:\r\n",
        "Tab:\tv\r\n",
    ])
    func validTrailersAreDiscarded(trailers: String) {
        let input = "5\r\nhello\r\n0\r\n\(trailers)\r\n"
        expectBody(.chunked, bytes(input), .complete("hello", consumed: input.utf8.count))
    }

    @Test func trailersExactlyAtTheLimitPass() {
        // Name, colon and value count; line ends do not. "X-T:" and twelve bytes is sixteen.
        let limits = HTTPParserLimits(maxHeaderBytes: 16)
        let input = "0\r\nX-T:0123456789ab\r\n\r\n"
        expectBody(.chunked, bytes(input), .complete("", consumed: input.utf8.count), limits: limits)
    }

    @Test func obsTextInATrailerValueIsAccepted() {
        let input = bytes("0\r\nX: caf") + [0xC3, 0xA9, 0xFF] + bytes("\r\n\r\n")
        expectBody(.chunked, input, .complete(body: [], consumed: input.count))
    }

    @Test(arguments: [
        ("chunked then a pipelined request", "3\r\nabc\r\n0\r\n\r\n"),
        ("chunked with trailers then a pipelined request", "3\r\nabc\r\n0\r\nX: y\r\n\r\n"),
    ])
    func chunkedBodyLeavesTheNextRequest(name: String, body: String) {
        expectBody(.chunked, bytes(body + Self.nextRequest), .complete("abc", consumed: body.utf8.count))
    }

    @Test(arguments: [
        ("5", ""), ("5\r", ""), ("5\r\n", ""), ("5\r\nhel", "hel"), ("5\r\nhello", "hello"),
        ("5\r\nhello\r", "hello"), ("5\r\nhello\r\n", "hello"), ("5\r\nhello\r\n0\r\n", "hello"),
        ("5\r\nhello\r\n0\r\nX: y\r\n", "hello"), ("5\r\nhello\r\n0\r\n\r", "hello"), ("5;ext", ""),
    ])
    func truncatedChunkedBodyWantsMore(input: String, decoded: String) {
        expectBody(.chunked, bytes(input), .incomplete(body: bytes(decoded)))
    }

    @Test func chunkedBodyExactlyAtTheBodyLimitPasses() {
        let limits = HTTPParserLimits(maxBodyBytes: 10)
        let input = "6\r\nabcdef\r\n4\r\nghij\r\n0\r\n\r\n"
        expectBody(.chunked, bytes(input), .complete("abcdefghij", consumed: input.utf8.count), limits: limits)
    }

    @Test func largeChunkIsCopiedWhole() {
        let data = [UInt8](repeating: 0x7A, count: 300)
        let input = bytes("12c\r\n") + data + bytes("\r\n0\r\n\r\n")
        expectBody(.chunked, input, .complete(body: data, consumed: input.count))
    }
}
