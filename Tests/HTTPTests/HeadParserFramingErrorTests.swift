import Testing
@testable import HTTP

/// Heads whose body framing, Host or expectation is ambiguous or unsupported (RFC 9112 §6.1–§6.3, §3.2;
/// RFC 9110 §10.1.1). Each would let a proxy in front and this server disagree on where a request ends.
@Suite struct HeadParserFramingErrorTests {
    static let post = "POST /p HTTP/1.1\r\nHost: a\r\n"

    @Test(arguments: [
        HeadErrorCase("Content-Length with Transfer-Encoding", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                      .malformed("both Content-Length and Transfer-Encoding"), status: 400),
        HeadErrorCase("Transfer-Encoding with Content-Length", post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
                      .malformed("both Content-Length and Transfer-Encoding"), status: 400),
        HeadErrorCase("Content-Length 0 with Transfer-Encoding", post + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n",
                      .malformed("both Content-Length and Transfer-Encoding"), status: 400),
        HeadErrorCase("Content-Length with Transfer-Encoding on HTTP/1.0",
                      "POST /p HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                      .malformed("both Content-Length and Transfer-Encoding"), status: 400),
    ])
    func contentLengthWithTransferEncoding(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [
        HeadErrorCase("two equal Content-Length fields", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
                      .malformed("several Content-Length headers"), status: 400),
        HeadErrorCase("two different Content-Length fields", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
                      .malformed("several Content-Length headers"), status: 400),
        HeadErrorCase("Content-Length 5, 5", post + "Content-Length: 5, 5\r\n\r\n", .malformed("invalid Content-Length"), status: 400),
        HeadErrorCase("Content-Length +5", post + "Content-Length: +5\r\n\r\n", .malformed("invalid Content-Length"), status: 400),
        HeadErrorCase("Content-Length -1", post + "Content-Length: -1\r\n\r\n", .malformed("invalid Content-Length"), status: 400),
        HeadErrorCase("Content-Length blank", post + "Content-Length:  \r\n\r\n", .malformed("invalid Content-Length"), status: 400),
        HeadErrorCase("Content-Length 0x10", post + "Content-Length: 0x10\r\n\r\n", .malformed("invalid Content-Length"), status: 400),
        HeadErrorCase("Content-Length 1.5", post + "Content-Length: 1.5\r\n\r\n", .malformed("invalid Content-Length"), status: 400),
        HeadErrorCase("Content-Length with inner space", post + "Content-Length: 1 2\r\n\r\n", .malformed("invalid Content-Length"), status: 400),
        HeadErrorCase("Content-Length of 19 digits", post + "Content-Length: 1000000000000000000\r\n\r\n",
                      .malformed("invalid Content-Length"), status: 400),
        HeadErrorCase("Content-Length past Int.max", post + "Content-Length: 99999999999999999999999\r\n\r\n",
                      .malformed("invalid Content-Length"), status: 400),
    ])
    func invalidContentLength(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [
        HeadErrorCase("gzip alone", post + "Transfer-Encoding: gzip\r\n\r\n",
                      .malformed("Transfer-Encoding does not end with chunked"), status: 400),
        HeadErrorCase("chunked, gzip", post + "Transfer-Encoding: chunked, gzip\r\n\r\n",
                      .malformed("Transfer-Encoding does not end with chunked"), status: 400),
        HeadErrorCase("chunked then gzip in two fields", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
                      .malformed("Transfer-Encoding does not end with chunked"), status: 400),
        HeadErrorCase("chunked, chunked", post + "Transfer-Encoding: chunked, chunked\r\n\r\n",
                      .malformed("chunked applied more than once"), status: 400),
        HeadErrorCase("chunked in two fields", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                      .malformed("chunked applied more than once"), status: 400),
        HeadErrorCase("gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n",
                      .unsupportedTransferCoding("gzip"), status: 501),
        HeadErrorCase("gzip then chunked in two fields", post + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                      .unsupportedTransferCoding("gzip"), status: 501),
        HeadErrorCase("chunked with a parameter-like suffix", post + "Transfer-Encoding: chunkedx\r\n\r\n",
                      .malformed("Transfer-Encoding does not end with chunked"), status: 400),
        HeadErrorCase("Transfer-Encoding on HTTP/1.0", "POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                      .malformed("Transfer-Encoding in an HTTP/1.0 request"), status: 400),
    ])
    func transferEncoding(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    /// Regression: an empty Transfer-Encoding field was read as "no Transfer-Encoding", so with a
    /// Content-Length beside it the parser framed by length where another parser may not.
    @Test(arguments: [
        HeadErrorCase("empty Transfer-Encoding with Content-Length", post + "Transfer-Encoding: \r\nContent-Length: 5\r\n\r\n",
                      .malformed("empty Transfer-Encoding"), status: 400),
        HeadErrorCase("empty Transfer-Encoding alone", post + "Transfer-Encoding:\r\n\r\n",
                      .malformed("empty Transfer-Encoding"), status: 400),
        HeadErrorCase("Transfer-Encoding of commas only", post + "Transfer-Encoding: , ,\r\n\r\n",
                      .malformed("empty Transfer-Encoding"), status: 400),
    ])
    func emptyTransferEncodingIsRejectedNotIgnored(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [
        HeadErrorCase("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .malformed("missing Host header"), status: 400),
        HeadErrorCase("no fields at all on HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", .malformed("missing Host header"), status: 400),
        HeadErrorCase("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", .malformed("several Host headers"), status: 400),
        HeadErrorCase("duplicate Host in any case", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", .malformed("several Host headers"), status: 400),
        HeadErrorCase("duplicate Host on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", .malformed("several Host headers"), status: 400),
        HeadErrorCase("Host with a space", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", .malformed("invalid Host header"), status: 400),
        HeadErrorCase("Host with a slash", "GET / HTTP/1.1\r\nHost: example.com/evil\r\n\r\n", .malformed("invalid Host header"), status: 400),
        HeadErrorCase("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n", .malformed("invalid Host header"), status: 400),
        HeadErrorCase("Host with a tab", "GET / HTTP/1.1\r\nHost: a\tb\r\n\r\n", .malformed("invalid Host header"), status: 400),
    ])
    func host(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: ["example.com", "example.com:8080", "127.0.0.1:80", "[::1]:8080", ""])
    func validHostValuesAreAccepted(host: String) throws {
        let (head, _) = try #require(expectHead(bytes("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")))
        #expect(head.headers["Host"] == host)
    }

    @Test(arguments: [
        HeadErrorCase("Expect: 100-continue-ish", post + "Expect: 100-continued\r\nContent-Length: 1\r\n\r\n",
                      .unsupportedExpectation("100-continued"), status: 417),
        HeadErrorCase("Expect: something else", "GET / HTTP/1.1\r\nHost: a\r\nExpect: Foo\r\n\r\n",
                      .unsupportedExpectation("foo"), status: 417),
        HeadErrorCase("Expect: 200-ok on HTTP/1.0", "GET / HTTP/1.0\r\nExpect: 200-ok\r\n\r\n",
                      .unsupportedExpectation("200-ok"), status: 417),
        HeadErrorCase("two Expect fields", post + "Expect: 100-continue\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
                      .malformed("several Expect headers"), status: 400),
    ])
    func expectation(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }
}
