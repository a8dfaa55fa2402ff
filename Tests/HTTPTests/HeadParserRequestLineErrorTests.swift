import Testing
@testable import HTTP

/// Request lines the parser must refuse (RFC 9112 §3): method, request-target form, protocol version.
@Suite struct HeadParserRequestLineErrorTests {
    static let badTarget = HTTPParseError.malformed("invalid request target")
    static let badVersion = HTTPParseError.malformed("invalid protocol version in request line")
    static let badMethod = HTTPParseError.malformed("invalid method in request line")

    /// A request line followed by a valid Host field and the end of the head.
    static func head(_ requestLine: String) -> [UInt8] { bytes(requestLine + "\r\nHost: a\r\n\r\n") }

    @Test(arguments: [
        HeadErrorCase("relative target", head("GET a HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("fragment in the target", head("GET /a#frag HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("fragment in an absolute target", head("GET http://x/a#f HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("asterisk for GET", head("GET * HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("asterisk with more", head("OPTIONS *x HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("ftp scheme", head("GET ftp://x/ HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("scheme without //", head("GET http:x/ HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("empty authority", head("GET http:///a HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("userinfo in the authority", head("GET http://user@x/ HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("authority-form for GET", head("GET example.com:443 HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("CONNECT without a port", head("CONNECT example.com HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("CONNECT with absolute-form", head("CONNECT http://example.com:443/ HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("CONNECT with asterisk", head("CONNECT * HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("byte 0x80 in the target", bytes("GET /caf") + [0x80] + bytes(" HTTP/1.1\r\nHost: a\r\n\r\n"), badTarget, status: 400),
        HeadErrorCase("UTF-8 in the target", bytes("GET /caf") + [0xC3, 0xA9] + bytes(" HTTP/1.1\r\nHost: a\r\n\r\n"), badTarget, status: 400),
        HeadErrorCase("DEL in the target", bytes("GET /a") + [0x7F] + bytes(" HTTP/1.1\r\nHost: a\r\n\r\n"), badTarget, status: 400),
        HeadErrorCase("control byte in the target", bytes("GET /a") + [0x01] + bytes(" HTTP/1.1\r\nHost: a\r\n\r\n"), badTarget, status: 400),
        HeadErrorCase("tab in the target", head("GET /a\tb HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("two spaces between method and target", head("GET  / HTTP/1.1"), badTarget, status: 400),
        HeadErrorCase("no version (HTTP/0.9 style)", head("GET /"), badTarget, status: 400),
        HeadErrorCase("no target", head("GET HTTP/1.1"), badTarget, status: 400),
    ])
    func requestTarget(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    /// Regression: CONNECT took an origin-form target, though RFC 9112 §3.2.3 allows it only authority-form.
    @Test(arguments: ["CONNECT / HTTP/1.1", "CONNECT /a?b HTTP/1.1"])
    func connectWithOriginFormIsRejected(requestLine: String) {
        expectHeadFailure(HeadErrorCase(requestLine, Self.head(requestLine), Self.badTarget, status: 400))
    }

    @Test(arguments: [
        HeadErrorCase("HTTP/1.1x", head("GET / HTTP/1.1x"), badVersion, status: 400),
        HeadErrorCase("HTTP/11", head("GET / HTTP/11"), badVersion, status: 400),
        HeadErrorCase("http/1.1", head("GET / http/1.1"), badVersion, status: 400),
        HeadErrorCase("HTTP/1", head("GET / HTTP/1"), badVersion, status: 400),
        HeadErrorCase("HTTP/1.", head("GET / HTTP/1."), badVersion, status: 400),
        HeadErrorCase("HTTP/1.a", head("GET / HTTP/1.a"), badVersion, status: 400),
        HeadErrorCase("HTTP 1.1", head("GET / HTTP 1.1"), badVersion, status: 400),
        HeadErrorCase("trailing space after the version", head("GET / HTTP/1.1 "), badVersion, status: 400),
        HeadErrorCase("two spaces before the version", head("GET /  HTTP/1.1"), badVersion, status: 400),
        HeadErrorCase("HTTP/2.0", head("GET / HTTP/2.0"), .unsupportedVersion(HTTPVersion(major: 2, minor: 0)), status: 505),
        HeadErrorCase("HTTP/3.0", head("GET / HTTP/3.0"), .unsupportedVersion(HTTPVersion(major: 3, minor: 0)), status: 505),
        HeadErrorCase("HTTP/0.9", head("GET / HTTP/0.9"), .unsupportedVersion(HTTPVersion(major: 0, minor: 9)), status: 505),
    ])
    func protocolVersion(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [
        HeadErrorCase("method with a parenthesis", head("GE(T / HTTP/1.1"), badMethod, status: 400),
        HeadErrorCase("method with a slash", head("GET/ / HTTP/1.1"), badMethod, status: 400),
        HeadErrorCase("method with a colon", head("GET: / HTTP/1.1"), badMethod, status: 400),
        HeadErrorCase("tab after the method", head("GET\t/ HTTP/1.1"), badMethod, status: 400),
        HeadErrorCase("space before the method", head(" GET / HTTP/1.1"), badMethod, status: 400),
        HeadErrorCase("control byte in the method", bytes("GE") + [0x01] + bytes("T / HTTP/1.1\r\nHost: a\r\n\r\n"), badMethod, status: 400),
        HeadErrorCase("obs-text in the method", bytes("G") + [0xC9] + bytes("T / HTTP/1.1\r\nHost: a\r\n\r\n"), badMethod, status: 400),
        HeadErrorCase("method only", head("GET"), badMethod, status: 400),
    ])
    func method(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test func versionErrorsMapToTheirStatus() {
        #expect(HTTPParseError.unsupportedVersion(HTTPVersion(major: 2, minor: 0)).status == .httpVersionNotSupported)
        #expect(Self.badVersion.status == .badRequest)
        #expect(HTTPParseError.unsupportedVersion(HTTPVersion(major: 2, minor: 0)).description
                == "unsupported protocol version HTTP/2.0")
    }
}
