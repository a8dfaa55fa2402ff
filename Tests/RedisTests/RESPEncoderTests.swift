import Testing
@testable import Redis

/// What `RESPEncoder` writes, compared byte for byte, and the round trip: the parser reads back every
/// encoded value, whole and cut at every byte.
@Suite struct RESPEncoderTests {
    private func command(_ arguments: [String]) -> [UInt8] {
        var buffer: [UInt8] = []
        RESPEncoder.appendCommand(arguments, to: &buffer)
        return buffer
    }

    @Test func commandIsAnArrayOfBulkStrings() {
        #expect(command(["SET", "k", "v"]) == bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
        #expect(command(["PING"]) == bytes("*1\r\n$4\r\nPING\r\n"))
    }

    @Test func emptyCommandAndEmptyArgument() {
        #expect(command([]) == bytes("*0\r\n"))
        #expect(command(["GET", ""]) == bytes("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"))
    }

    @Test func lengthsCountUTF8Bytes() {
        #expect(command(["é"]) == bytes("*1\r\n$2\r\né\r\n"))
        let long = String(repeating: "x", count: 1234)
        #expect(command([long]) == bytes("*1\r\n$1234\r\n\(long)\r\n"))
    }

    @Test func byteArgumentsAreBinarySafe() {
        var buffer: [UInt8] = []
        RESPEncoder.appendCommand([bytes("SET"), [0x00, 0x0D, 0x0A, 0xFF]], to: &buffer)
        #expect(buffer == bytes("*2\r\n$3\r\nSET\r\n$4\r\n") + [0x00, 0x0D, 0x0A, 0xFF] + bytes("\r\n"))
        // What the parser reads back is what a server reads: an array of the same bulk strings.
        #expect(RESPParser.parse(buffer) == .value(.array([.bulkString(bytes("SET")), .bulkString([0x00, 0x0D, 0x0A, 0xFF])]), consumed: buffer.count))
    }

    @Test func commandsAppendToAPipeline() {
        var buffer = bytes("*1\r\n$5\r\nMULTI\r\n")
        RESPEncoder.appendCommand(["INCR", "n"], to: &buffer)
        RESPEncoder.appendCommand([bytes("EXEC")], to: &buffer)
        #expect(buffer == bytes("*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n"))
    }

    @Test(arguments: [
        ReplyCase("simple string", "+OK\r\n", .simpleString("OK")),
        ReplyCase("simple error", "-ERR x\r\n", .error("ERR x")),
        ReplyCase("error with a line break becomes a blob error", "!4\r\na\r\nb\r\n", .error("a\r\nb")),
        ReplyCase("integer", ":42\r\n", .integer(42)),
        ReplyCase("Int64.min", ":-9223372036854775808\r\n", .integer(.min)),
        ReplyCase("Int64.max", ":9223372036854775807\r\n", .integer(.max)),
        ReplyCase("bulk string", "$3\r\nfoo\r\n", .bulkString(bytes("foo"))),
        ReplyCase("empty bulk string", "$0\r\n\r\n", .bulkString([])),
        ReplyCase("null is RESP3's", "_\r\n", .null),
        ReplyCase("array", "*2\r\n:1\r\n_\r\n", .array([.integer(1), .null])),
        ReplyCase("empty array", "*0\r\n", .array([])),
        ReplyCase("double", ",1.5\r\n", .double(1.5)),
        ReplyCase("integral double", ",3.0\r\n", .double(3)),
        ReplyCase("small double", ",1e-05\r\n", .double(0.00001)),
        ReplyCase("large double", ",1e+20\r\n", .double(1e20)),
        ReplyCase("infinity", ",inf\r\n", .double(.infinity)),
        ReplyCase("negative infinity", ",-inf\r\n", .double(-.infinity)),
        ReplyCase("not a number", ",nan\r\n", .double(.nan)),
        ReplyCase("true", "#t\r\n", .boolean(true)),
        ReplyCase("false", "#f\r\n", .boolean(false)),
        ReplyCase("big number", "(-123456789012345678901234567890\r\n", .bigNumber("-123456789012345678901234567890")),
        ReplyCase("verbatim string", "=9\r\ntxt:hello\r\n", .verbatim(format: "txt", text: bytes("hello"))),
        ReplyCase("map", "%1\r\n+k\r\n:1\r\n", .map([RESPPair(key: .simpleString("k"), value: .integer(1))])),
        ReplyCase("set", "~1\r\n#t\r\n", .set([.boolean(true)])),
        ReplyCase("push", ">2\r\n+message\r\n$1\r\nx\r\n", .push([.simpleString("message"), .bulkString(bytes("x"))])),
    ])
    func encodedForm(_ testCase: ReplyCase) {
        #expect(RESPEncoder.encode(testCase.expected) == testCase.input)
    }

    @Test func appendKeepsWhatTheBufferHeld() {
        var buffer = bytes("+first\r\n")
        RESPEncoder.append(.integer(-7), to: &buffer)
        #expect(buffer == bytes("+first\r\n:-7\r\n"))
    }

    /// Values of every type, nested, for the round trip.
    static var roundTripValues: [RESPValue] { [
        .simpleString(""), .simpleString("héllo wörld"), .error("ERR"), .error("multi\nline\rerror"), .integer(0),
        .integer(-1), .integer(.min), .integer(.max), .bulkString([]), .bulkString(Array(0...255)), .null,
        .array([]), .double(0), .double(-0.0), .double(0.1), .double(-1.5e-300), .double(.leastNonzeroMagnitude),
        .double(.greatestFiniteMagnitude), .double(123_456_789.123), .double(.infinity), .double(-.infinity),
        .double(.nan), .boolean(true), .boolean(false), .bigNumber("0"), .bigNumber("+1"), .bigNumber("-99999999999999999999"),
        .verbatim(format: "mkd", text: bytes("# Title\r\n")), .verbatim(format: "txt", text: []), .map([]), .set([]), .push([]),
        .map([
            RESPPair(key: .bulkString(bytes("k")), value: .array([.set([.double(.nan)]), .push([.null])])),
            RESPPair(key: .array([.integer(1)]), value: .map([RESPPair(key: .null, value: .error("e"))])),
        ]),
        nestedArrayValue(32),
    ] }

    @Test(arguments: roundTripValues)
    func roundTrip(_ value: RESPValue) {
        let encoded = RESPEncoder.encode(value)
        expectReply(encoded, value)
    }

    @Test func roundTripOfEverythingAtOnce() {
        let value = RESPValue.array(Self.roundTripValues.filter { $0 != nestedArrayValue(32) })
        expectReply(RESPEncoder.encode(value), value)
    }
}
