import Testing

/// RFC 9112 framing errors on a live socket: each gets its status, and the connection closes after it.
@Suite struct ServerFramingTests {
    static let malformed: [(name: String, request: String, status: Int)] = [
        ("CL with TE", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("two CL", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
        ("CL list", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
        ("CL sign", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400),
        ("TE not final chunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("TE unknown coding", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("TE chunked twice", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("TE on HTTP/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("obs-fold", "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400),
        ("space before colon", "GET /hello HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ("whitespace-led first field", "GET /hello HTTP/1.1\r\n Host: x\r\n\r\n", 400),
        ("bare CR", "GET /hello HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", 400),
        ("bare LF", "GET /hello HTTP/1.1\nHost: x\n\n", 400),
        ("NUL in value", "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n", 400),
        ("control in value", "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\u{1}b\r\n\r\n", 400),
        ("non-token name", "GET /hello HTTP/1.1\r\nHost: x\r\nX(A): b\r\n\r\n", 400),
        ("bad chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
        ("overflowing chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400),
        ("missing Host", "GET /hello HTTP/1.1\r\n\r\n", 400),
        ("duplicate Host", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("bad target", "GET hello HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("bad version", "GET /hello HTTP/1.x\r\nHost: x\r\n\r\n", 400),
        ("HTTP/2 version", "GET /hello HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("bad method", "G(T /hello HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ]

    @Test(arguments: malformed.map(\.name))
    func malformedRequestIsRejectedAndClosed(name: String) throws {
        let testCase = Self.malformed.first { $0.name == name }!
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send(testCase.request)
        let response = try client.readResponse()
        #expect(response.status == testCase.status)
        #expect(response.header("Connection") == "close")
        #expect(response.header("X-Request-ID") != nil)
        #expect(response.text.contains("\"request_id\""))
        #expect(client.isClosedByPeer())
    }

    /// CL.TE smuggling: a front end honouring Content-Length would forward the hidden GET as part of the body.
    @Test func smuggledRequestAfterFramingErrorIsNeverAnswered() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 47\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        let response = try client.readResponse()
        #expect(response.status == 400)
        let rest = String(decoding: try client.readToEnd(), as: UTF8.self)
        #expect(!rest.contains("HTTP/1.1"), "a second response came back: \(rest)")
        #expect(!rest.contains("hello"))
    }

    /// A request pipelined behind a malformed chunked body is never parsed as a request.
    @Test func requestHiddenBehindBadChunkIsNeverAnswered() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(try client.readToEnd().isEmpty)
    }

    /// Framing errors cut at the first bad byte: the error still arrives when the request comes a byte at a time.
    @Test func framingErrorFedByteByByte() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        for byte in "GET /hello HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n".utf8 { client.send([byte]) }
        #expect(try client.readResponse().status == 400)
        #expect(client.isClosedByPeer())
    }
}
