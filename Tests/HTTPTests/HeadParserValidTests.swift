import Testing
@testable import HTTP

/// Heads the parser must accept, each fed whole and cut at every byte (RFC 9112 §2–§5).
@Suite struct HeadParserValidTests {
    @Test func simpleGet() throws {
        let input = bytes("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
        let (head, consumed) = try #require(expectHead(input))
        #expect(consumed == input.count)
        #expect(head.method == .get)
        #expect(head.target == "/")
        #expect(head.path == "/")
        #expect(head.query == nil)
        #expect(head.version == .http1_1)
        #expect(head.headers.fields == [HTTPField(name: "Host", value: "example.com")])
        #expect(head.keepAlive)
        #expect(head.framing == .none)
        #expect(!head.expectsContinue)
    }

    struct TargetCase: Sendable, CustomTestStringConvertible {
        let requestLine: String
        let path: String
        let query: String?
        var testDescription: String { requestLine }
    }

    @Test(arguments: [
        TargetCase(requestLine: "GET /search?q=a%20b&x=1 HTTP/1.1", path: "/search", query: "q=a%20b&x=1"),
        TargetCase(requestLine: "GET /a/b/c HTTP/1.1", path: "/a/b/c", query: nil),
        TargetCase(requestLine: "GET /a? HTTP/1.1", path: "/a", query: ""),
        TargetCase(requestLine: "GET /a?b?c=/d HTTP/1.1", path: "/a", query: "b?c=/d"),
        TargetCase(requestLine: "GET http://example.com/a?b HTTP/1.1", path: "/a", query: "b"),
        TargetCase(requestLine: "GET http://example.com HTTP/1.1", path: "/", query: nil),
        TargetCase(requestLine: "GET https://example.com:8443?x=1 HTTP/1.1", path: "/", query: "x=1"),
        TargetCase(requestLine: "GET HTTP://Example.COM/p HTTP/1.1", path: "/p", query: nil),
        TargetCase(requestLine: "OPTIONS * HTTP/1.1", path: "*", query: nil),
        TargetCase(requestLine: "CONNECT example.com:443 HTTP/1.1", path: "example.com:443", query: nil),
        TargetCase(requestLine: "M-SEARCH /x HTTP/1.1", path: "/x", query: nil),
    ])
    func requestTargetForms(_ testCase: TargetCase) throws {
        let input = bytes("\(testCase.requestLine)\r\nHost: example.com\r\n\r\n")
        let (head, _) = try #require(expectHead(input))
        let target = testCase.requestLine.split(separator: " ")[1]
        #expect(head.target == String(target))
        #expect(head.method.rawValue == String(testCase.requestLine.split(separator: " ")[0]))
        #expect(head.path == testCase.path)
        #expect(head.query == testCase.query)
    }

    struct PersistenceCase: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let keepAlive: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        PersistenceCase(name: "HTTP/1.1 defaults to keep-alive", text: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", keepAlive: true),
        PersistenceCase(name: "HTTP/1.0 without Host closes", text: "GET / HTTP/1.0\r\n\r\n", keepAlive: false),
        PersistenceCase(name: "HTTP/1.0 keep-alive", text: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", keepAlive: true),
        PersistenceCase(name: "HTTP/1.0 Keep-Alive in any case", text: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", keepAlive: true),
        PersistenceCase(name: "HTTP/1.0 keep-alive then close", text: "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", keepAlive: false),
        PersistenceCase(name: "HTTP/1.1 Connection: close", text: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", keepAlive: false),
        PersistenceCase(name: "HTTP/1.1 close in a list", text: "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade , CLOSE\r\n\r\n", keepAlive: false),
        PersistenceCase(name: "HTTP/1.1 close in a second Connection field", text: "GET / HTTP/1.1\r\nHost: a\r\nConnection: te\r\nConnection: close\r\n\r\n", keepAlive: false),
    ])
    func connectionPersistence(_ testCase: PersistenceCase) throws {
        let (head, _) = try #require(expectHead(bytes(testCase.text)))
        #expect(head.keepAlive == testCase.keepAlive)
    }

    @Test func http10WithoutHostIsAccepted() throws {
        let (head, _) = try #require(expectHead(bytes("GET /old HTTP/1.0\r\n\r\n")))
        #expect(head.version == .http1_0)
        #expect(head.headers.count == 0)
        #expect(head.path == "/old")
    }

    @Test func leadingEmptyLinesBeforeTheRequestLineAreSkipped() throws {
        let input = bytes("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        let (head, consumed) = try #require(expectHead(input))
        #expect(consumed == input.count, "the skipped empty lines belong to this request")
        #expect(head.path == "/x")
    }

    @Test func optionalWhitespaceAroundValuesIsTrimmed() throws {
        let input = bytes("GET / HTTP/1.1\r\nHost:a\r\nX-A:   inner  spaces \t \r\nX-B:\tv\r\nX-Empty: \t \r\nX-None:\r\n\r\n")
        let (head, _) = try #require(expectHead(input))
        #expect(head.headers["host"] == "a")
        #expect(head.headers["x-a"] == "inner  spaces")
        #expect(head.headers["x-b"] == "v")
        #expect(head.headers["x-empty"] == "")
        #expect(head.headers["x-none"] == "")
    }

    @Test func obsTextBytesInAValueAreAccepted() throws {
        let utf8 = bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Name: café ☕\r\n\r\n")
        let (head, _) = try #require(expectHead(utf8))
        #expect(head.headers["X-Name"] == "café ☕")

        // Not valid UTF-8, but obs-text all the same (RFC 9110 §5.5): kept, decoded with replacement.
        let latin1 = bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Raw: a") + [0xE9, 0xFF, 0x80] + bytes("b\r\n\r\n")
        let (raw, _) = try #require(expectHead(latin1))
        let value = try #require(raw.headers["x-raw"])
        #expect(value.hasPrefix("a") && value.hasSuffix("b"))
    }

    @Test func headerNamesAreCaseInsensitiveAndKeptAsReceived() throws {
        let input = bytes("POST /p HTTP/1.1\r\nhOsT: a\r\ncontent-LENGTH: 3\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n")
        let (head, _) = try #require(expectHead(input))
        #expect(head.framing == .contentLength(3))
        #expect(head.headers["HOST"] == "a")
        #expect(head.headers.values("X-DUP") == ["1", "2"])
        #expect(head.headers.fields.map(\.name) == ["hOsT", "content-LENGTH", "X-Dup", "x-dup"])
    }

    @Test(arguments: [
        ("Content-Length: 5", HTTPBodyFraming.contentLength(5)),
        ("Content-Length:   12  ", .contentLength(12)),
        ("Content-Length: 0", .none),
        ("Content-Length: 007", .contentLength(7)),
        ("Transfer-Encoding: chunked", .chunked),
        ("Transfer-Encoding: Chunked", .chunked),
        ("Transfer-Encoding: , chunked ,", .chunked),
    ])
    func bodyFraming(field: String, framing: HTTPBodyFraming) throws {
        let input = bytes("POST /upload HTTP/1.1\r\nHost: a\r\n\(field)\r\n\r\nhello")
        let (head, consumed) = try #require(expectHead(input))
        #expect(head.framing == framing)
        #expect(consumed == input.count - 5, "the body is not part of the head")
    }

    struct ExpectCase: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let expectsContinue: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        ExpectCase(name: "1.1 with Content-Length", text: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", expectsContinue: true),
        ExpectCase(name: "1.1 chunked, any case", text: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n", expectsContinue: true),
        ExpectCase(name: "1.1 without a body", text: "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", expectsContinue: false),
        ExpectCase(name: "1.1 with Content-Length 0", text: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n", expectsContinue: false),
        ExpectCase(name: "1.0 ignores it (RFC 9110 §10.1.1)", text: "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", expectsContinue: false),
        ExpectCase(name: "no Expect field", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", expectsContinue: false),
    ])
    func expectContinue(_ testCase: ExpectCase) throws {
        let (head, _) = try #require(expectHead(bytes(testCase.text)))
        #expect(head.expectsContinue == testCase.expectsContinue)
    }

    @Test func pipelinedRequestsStopAtTheEndOfTheFirstHead() throws {
        let first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
        let second = "GET /b?2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let input = bytes(first + second)
        let (head, consumed) = try #require(expectHead(input))
        #expect(consumed == first.utf8.count)
        #expect(head.path == "/a")

        let (next, nextConsumed) = try #require(expectHead(Array(input[consumed...])))
        #expect(nextConsumed == second.utf8.count)
        #expect(next.path == "/b")
        #expect(next.query == "2")
        #expect(!next.keepAlive)
    }

    @Test func oneParserReadsPipelinedHeadsInTurn() throws {
        // A body sits between the heads; the caller hands the body bytes to a body decoder.
        let input = bytes("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        var parser = HTTPRequestHeadParser()
        guard case .complete(let first, let consumed) = parser.parse(input) else {
            Issue.record("first head not complete")
            return
        }
        #expect(first.framing == .contentLength(2))
        #expect(Array(input[consumed..<(consumed + 2)]) == bytes("hi"))
        let rest = Array(input[(consumed + 2)...])
        guard case .complete(let second, let secondConsumed) = parser.parse(rest) else {
            Issue.record("second head not complete: the parser kept state from the first")
            return
        }
        #expect(second.path == "/b")
        #expect(secondConsumed == rest.count)
    }

    @Test func resetForgetsAPartialHead() {
        var parser = HTTPRequestHeadParser()
        #expect(parser.parse(bytes("GET /partial HTTP/1.1\r\nHo")) == .needMore)
        parser.reset()
        guard case .complete(let head, _) = parser.parse(bytes("GET /n HTTP/1.1\r\nHost: a\r\n\r\n")) else {
            Issue.record("a reset parser did not read a new head")
            return
        }
        #expect(head.path == "/n")
    }
}
