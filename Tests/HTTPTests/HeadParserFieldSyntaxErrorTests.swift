import Testing
@testable import HTTP

/// Line endings, control bytes and field-line syntax the parser must refuse with 400 (RFC 9112 §2.2, §5;
/// RFC 9110 §5.5). Lenient readings of any of these are request-smuggling vectors behind a proxy.
@Suite struct HeadParserFieldSyntaxErrorTests {
    static let bareCR = HTTPParseError.malformed("bare CR in request head")
    static let bareLF = HTTPParseError.malformed("bare LF in request head: lines end with CRLF")
    static let nul = HTTPParseError.malformed("NUL byte in request head")
    static let controlInValue = HTTPParseError.malformed("control character in header field value")
    static let invalidName = HTTPParseError.malformed("invalid header field name")

    @Test(arguments: [
        HeadErrorCase("obs-fold with SP", "GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n",
                      .malformed("obsolete line folding in header field"), status: 400),
        HeadErrorCase("obs-fold with HTAB", "GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n",
                      .malformed("obsolete line folding in header field"), status: 400),
        HeadErrorCase("obs-fold continuing Host", "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",
                      .malformed("obsolete line folding in header field"), status: 400),
        HeadErrorCase("whitespace-led first field line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
                      .malformed("whitespace before the first header field"), status: 400),
        HeadErrorCase("tab-led first field line", "GET / HTTP/1.1\r\n\tHost: a\r\n\r\n",
                      .malformed("whitespace before the first header field"), status: 400),
    ])
    func lineFolding(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [
        HeadErrorCase("space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
                      .malformed("whitespace between header field name and colon"), status: 400),
        HeadErrorCase("tab before the colon", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\n",
                      .malformed("whitespace between header field name and colon"), status: 400),
        HeadErrorCase("name with a parenthesis", "GET / HTTP/1.1\r\nHost: a\r\nHea(der: x\r\n\r\n", invalidName, status: 400),
        HeadErrorCase("quoted name", "GET / HTTP/1.1\r\nHost: a\r\n\"x\": y\r\n\r\n", invalidName, status: 400),
        HeadErrorCase("name with @", "GET / HTTP/1.1\r\nHost: a\r\na@b: c\r\n\r\n", invalidName, status: 400),
        HeadErrorCase("name with a slash", "GET / HTTP/1.1\r\nHost: a\r\na/b: c\r\n\r\n", invalidName, status: 400),
        HeadErrorCase("name with a space inside", "GET / HTTP/1.1\r\nHost: a\r\nX Y: c\r\n\r\n",
                      .malformed("whitespace between header field name and colon"), status: 400),
        HeadErrorCase("line without a colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n", invalidName, status: 400),
        HeadErrorCase("empty name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", .malformed("empty header field name"), status: 400),
        HeadErrorCase("control byte in a name", bytes("GET / HTTP/1.1\r\nHost: a\r\nX-") + [0x01] + bytes("A: b\r\n\r\n"),
                      invalidName, status: 400),
        HeadErrorCase("DEL in a name", bytes("GET / HTTP/1.1\r\nHost: a\r\nX") + [0x7F] + bytes(": b\r\n\r\n"),
                      invalidName, status: 400),
        HeadErrorCase("obs-text in a name", bytes("GET / HTTP/1.1\r\nHost: a\r\nX-") + [0xC3, 0xA9] + bytes(": b\r\n\r\n"),
                      invalidName, status: 400),
    ])
    func fieldName(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [
        HeadErrorCase("bare CR in the method", "GE\rT / HTTP/1.1\r\nHost: a\r\n\r\n", bareCR, status: 400),
        HeadErrorCase("bare CR in the target", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", bareCR, status: 400),
        HeadErrorCase("bare CR ending the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", bareCR, status: 400),
        HeadErrorCase("CR CR LF after the request line", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", bareCR, status: 400),
        HeadErrorCase("bare CR in a name", "GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n", bareCR, status: 400),
        HeadErrorCase("bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n", bareCR, status: 400),
        HeadErrorCase("bare CR as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\rX", bareCR, status: 400),
        HeadErrorCase("bare CR before the request line", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", bareCR, status: 400),
    ])
    func bareCarriageReturn(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [
        HeadErrorCase("LF-only line ends", "GET / HTTP/1.1\nHost: a\n\n", bareLF, status: 400),
        HeadErrorCase("LF ending a field line", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", bareLF, status: 400),
        HeadErrorCase("LF as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\n", bareLF, status: 400),
        HeadErrorCase("LF inside a value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\nc\r\n\r\n", bareLF, status: 400),
        HeadErrorCase("LF before the request line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", bareLF, status: 400),
        HeadErrorCase("LF CR as a line end", "GET / HTTP/1.1\n\rHost: a\r\n\r\n", bareLF, status: 400),
    ])
    func bareLineFeed(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [
        HeadErrorCase("NUL in the method", "G\u{0}ET / HTTP/1.1\r\nHost: a\r\n\r\n", nul, status: 400),
        HeadErrorCase("NUL in the target", "GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", nul, status: 400),
        HeadErrorCase("NUL in the version", "GET / HTTP/1.\u{0}\r\nHost: a\r\n\r\n", nul, status: 400),
        HeadErrorCase("NUL in a name", "GET / HTTP/1.1\r\nHo\u{0}st: a\r\n\r\n", nul, status: 400),
        HeadErrorCase("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\u{0}c\r\n\r\n", nul, status: 400),
        HeadErrorCase("NUL ending a value", "GET / HTTP/1.1\r\nHost: a\u{0}\r\n\r\n", nul, status: 400),
    ])
    func nulByte(_ testCase: HeadErrorCase) {
        expectHeadFailure(testCase)
    }

    @Test(arguments: [UInt8(0x01), 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F])
    func controlByteInAValue(_ control: UInt8) {
        let input = bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Value: one") + [control] + bytes("two\r\n\r\n")
        expectHeadFailure(input, Self.controlInValue)
        #expect(Self.controlInValue.status.code == 400)
    }

    @Test(arguments: [UInt8(0x01), 0x7F])
    func controlByteAtTheEdgeOfAValueIsNotTrimmed(_ control: UInt8) {
        // Only SP and HTAB are optional whitespace; a control byte next to them is still an error.
        expectHeadFailure(bytes("GET / HTTP/1.1\r\nHost: a\r\nX: ") + [control] + bytes(" \r\n\r\n"), Self.controlInValue)
        expectHeadFailure(bytes("GET / HTTP/1.1\r\nHost: a\r\nX: v ") + [control] + bytes("\r\n\r\n"), Self.controlInValue)
    }

    @Test func controlByteInHostIsRejected() {
        expectHeadFailure(bytes("GET / HTTP/1.1\r\nHost: a") + [0x01] + bytes("\r\n\r\n"), Self.controlInValue)
    }
}
