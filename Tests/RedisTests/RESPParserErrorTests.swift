import Testing
@testable import Redis

/// Bytes that are not RESP, one test per `RESPParseError` case. Each input is fed whole, with more bytes
/// after it, and cut at every byte: a prefix is either `.needMore` or the same error, never another answer.
@Suite struct RESPParserErrorTests {
    @Test(arguments: [
        FailureCase("question mark", "?x\r\n", .unknownType(0x3F)),
        FailureCase("CRLF where a type belongs", "\r\n", .unknownType(0x0D)),
        FailureCase("inline command reply", "PONG\r\n", .unknownType(0x50)),
        FailureCase("RESP3 stream chunk without a stream", ";4\r\nHell\r\n", .unknownType(0x3B)),
        FailureCase("RESP3 stream end without a stream", ".\r\n", .unknownType(0x2E)),
        FailureCase("NUL", [0x00], .unknownType(0x00)),
        FailureCase("unknown type inside an array", "*2\r\n:1\r\nX\r\n", .unknownType(0x58)),
    ])
    func unknownType(_ testCase: FailureCase) {
        expectFailure(testCase.input, testCase.error)
    }

    @Test func unknownTypeIsReportedOnItsOwnByte() {
        #expect(expectFailure(bytes("@whatever"), .unknownType(0x40)) == 1)
        #expect(expectFailure(bytes("*2\r\n:1\r\n@"), .unknownType(0x40)) == 9)
    }

    @Test(arguments: [
        ":\r\n", ":+1\r\n", ":1.5\r\n", ": 1\r\n", ":1 \r\n", ":-\r\n", ":--1\r\n", ":0x10\r\n", ":1e3\r\n",
        ":9223372036854775808\r\n", ":-9223372036854775809\r\n", ":99999999999999999999999\r\n",
    ])
    func invalidInteger(_ wire: WireText) {
        expectFailure(wire.bytes, .invalidInteger)
    }

    @Test(arguments: [
        "$\r\n", "$-2\r\n", "$abc\r\n", "$+1\r\n", "$ 1\r\n", "$1.0\r\n", "$-\r\n", "$99999999999999999999\r\n",
        "$-9223372036854775808\r\n", "*-2\r\n", "*x\r\n", "%-1\r\n", "~-1\r\n", ">-1\r\n", "|-1\r\n", "!-1\r\n", "=-1\r\n",
    ])
    func invalidLength(_ wire: WireText) {
        expectFailure(wire.bytes, .invalidLength)
    }

    @Test func invalidLengthIsReportedWhenItsLineEnds() {
        // Not when the data it announces would have arrived: the header line is enough.
        #expect(expectFailure(bytes("$-2\r\nabcdef"), .invalidLength) == 5)
        #expect(expectFailure(bytes("*1\r\n*-5\r\n:1\r\n"), .invalidLength) == 9)
    }

    @Test(arguments: ["$?\r\n;4\r\nHell\r\n;0\r\n", "*?\r\n:1\r\n.\r\n", "%?\r\n", "~?\r\n", "!?\r\n"])
    func unsupportedStreaming(_ wire: WireText) {
        expectFailure(wire.bytes, .unsupportedStreaming)
    }

    @Test(arguments: [
        FailureCase("bulk longer than declared", "$3\r\nfooX\r\n", .missingTerminator),
        FailureCase("bulk shorter than declared", "$5\r\nfoo\r\n:1\r\n", .missingTerminator),
        FailureCase("CR then another byte", "$3\r\nfoo\rX", .missingTerminator),
        FailureCase("LF alone", "$3\r\nfoo\n", .missingTerminator),
        FailureCase("empty bulk without its CRLF", "$0\r\nX", .missingTerminator),
        FailureCase("blob error", "!1\r\nxyz\r\n", .missingTerminator),
        FailureCase("verbatim string", "=5\r\ntxt:abc\r\n", .missingTerminator),
    ])
    func missingTerminator(_ testCase: FailureCase) {
        expectFailure(testCase.input, testCase.error)
    }

    @Test func missingTerminatorIsReportedOnTheWrongByte() {
        #expect(expectFailure(bytes("$3\r\nfooX"), .missingTerminator) == 8)
        #expect(expectFailure(bytes("$3\r\nfoo\rX"), .missingTerminator) == 9)
    }

    @Test(arguments: ["+OK\rX\r\n", ":1\r2\r\n", "$3\rfoo\r\n", "+a\r\r\n", "*1\r\n+a\rb\r\n", "_\r_"])
    func bareCarriageReturn(_ wire: WireText) {
        expectFailure(wire.bytes, .bareCarriageReturn)
    }

    @Test(arguments: ["+OK\n", ":1\n", "$3\nfoo\r\n", "*1\r\n+a\n", "-ERR\n", "+a\nb\r\n", "_\n"])
    func bareLineFeed(_ wire: WireText) {
        expectFailure(wire.bytes, .bareLineFeed)
    }

    @Test func bareLineFeedIsReportedOnItsByte() {
        #expect(expectFailure(bytes("+OK\nmore text\r\n"), .bareLineFeed) == 4)
    }

    @Test(arguments: [
        ",\r\n", ",1.\r\n", ",.5\r\n", ",1e\r\n", ",1e+\r\n", ",infinity\r\n", ",Inf\r\n", ",NaN\r\n", ",+inf\r\n", ",-nan\r\n",
        ",0x1p3\r\n", ",1.5 \r\n", ", 1.5\r\n", ",--1\r\n", ",1..5\r\n", ",1.5.2\r\n", ",1e5e5\r\n", ",-\r\n", ",e5\r\n",
    ])
    func invalidDouble(_ wire: WireText) {
        expectFailure(wire.bytes, .invalidDouble)
    }

    @Test(arguments: ["#\r\n", "#true\r\n", "#T\r\n", "#1\r\n", "#tt\r\n", "# t\r\n"])
    func invalidBoolean(_ wire: WireText) {
        expectFailure(wire.bytes, .invalidBoolean)
    }

    @Test(arguments: ["_x\r\n", "_ \r\n", "_-1\r\n"])
    func invalidNull(_ wire: WireText) {
        expectFailure(wire.bytes, .invalidNull)
    }

    @Test(arguments: ["(\r\n", "(+\r\n", "(-\r\n", "(1.5\r\n", "(12a\r\n", "(--1\r\n", "( 1\r\n"])
    func invalidBigNumber(_ wire: WireText) {
        expectFailure(wire.bytes, .invalidBigNumber)
    }

    @Test(arguments: [
        FailureCase("shorter than its format", "=3\r\ntxt\r\n", .invalidVerbatim),
        FailureCase("empty", "=0\r\n\r\n", .invalidVerbatim),
        FailureCase("no colon after the format", "=5\r\ntxt;a\r\n", .invalidVerbatim),
        FailureCase("control byte in the format", [0x3D, 0x35, 13, 10, 0x01, 0x78, 0x74, 0x3A, 0x61, 13, 10], .invalidVerbatim),
        FailureCase("non-ASCII format", [0x3D, 0x36, 13, 10, 0xC3, 0xA9, 0x74, 0x3A, 0x61, 0x62, 13, 10], .invalidVerbatim),
    ])
    func invalidVerbatim(_ testCase: FailureCase) {
        expectFailure(testCase.input, testCase.error)
    }

    @Test func shortVerbatimLengthIsReportedWhenItsLineEnds() {
        #expect(expectFailure(bytes("=3\r\ntxt\r\n"), .invalidVerbatim) == 4)
    }

    @Test func anErrorAfterValidElementsFailsTheWholeReply() {
        expectFailure(bytes("*3\r\n:1\r\n$1\r\na\r\n#x\r\n"), .invalidBoolean)
        expectFailure(bytes("%1\r\n+k\r\n:1x\r\n"), .invalidInteger)
        expectFailure(bytes("|1\r\n+k\r\n,x\r\n+OK\r\n"), .invalidDouble)
    }

    @Test func everyErrorHasADescription() {
        let errors: [RESPParseError] = [
            .unknownType(0x3F), .invalidInteger, .invalidLength, .unsupportedStreaming, .missingTerminator,
            .bareCarriageReturn, .bareLineFeed, .lineTooLong, .bulkTooLarge, .tooManyElements, .tooDeep,
            .invalidDouble, .invalidBoolean, .invalidNull, .invalidBigNumber, .invalidVerbatim,
        ]
        #expect(Set(errors.map(\.description)).count == errors.count, "descriptions tell the cases apart")
        #expect(RESPParseError.unknownType(0x3F).description == "unknown RESP type byte 0x3f")
    }
}
