import Testing
@testable import Redis

/// Replies the parser must accept, RESP2 and RESP3, each fed whole and cut at every byte (RESP3.md).
@Suite struct RESPParserTests {
    @Test(arguments: [
        ReplyCase("simple string", "+OK\r\n", .simpleString("OK")),
        ReplyCase("empty simple string", "+\r\n", .simpleString("")),
        ReplyCase("simple string with spaces and colon", "+a b: c\r\n", .simpleString("a b: c")),
        ReplyCase("simple error", "-ERR unknown command 'foo'\r\n", .error("ERR unknown command 'foo'")),
        ReplyCase("empty simple error", "-\r\n", .error("")),
        ReplyCase("integer zero", ":0\r\n", .integer(0)),
        ReplyCase("negative integer", ":-1\r\n", .integer(-1)),
        ReplyCase("Int64.max", ":9223372036854775807\r\n", .integer(.max)),
        ReplyCase("Int64.min", ":-9223372036854775808\r\n", .integer(.min)),
        ReplyCase("leading zeros", ":007\r\n", .integer(7)),
        ReplyCase("negative zero", ":-0\r\n", .integer(0)),
        ReplyCase("bulk string", "$5\r\nhello\r\n", .bulkString(bytes("hello"))),
        ReplyCase("empty bulk string", "$0\r\n\r\n", .bulkString([])),
        ReplyCase("bulk string of CRLFs", "$4\r\n\r\n\r\n\r\n", .bulkString([13, 10, 13, 10])),
        ReplyCase("binary bulk string", [0x24, 0x34, 13, 10, 0x00, 0xFF, 0x0A, 0x0D, 13, 10], .bulkString([0x00, 0xFF, 0x0A, 0x0D])),
        ReplyCase("bulk length with leading zero", "$01\r\nx\r\n", .bulkString(bytes("x"))),
        ReplyCase("RESP2 null bulk string", "$-1\r\n", .null),
        ReplyCase("RESP2 null array", "*-1\r\n", .null),
        ReplyCase("empty array", "*0\r\n", .array([])),
        ReplyCase("array", "*2\r\n$3\r\nfoo\r\n:1\r\n", .array([.bulkString(bytes("foo")), .integer(1)])),
        ReplyCase("array of nulls", "*3\r\n$-1\r\n*-1\r\n_\r\n", .array([.null, .null, .null])),
        ReplyCase("nested arrays", "*2\r\n*1\r\n+a\r\n*0\r\n", .array([.array([.simpleString("a")]), .array([])])),
        ReplyCase("array with an error element", "*2\r\n:1\r\n-ERR x\r\n", .array([.integer(1), .error("ERR x")])),
    ])
    func resp2(_ testCase: ReplyCase) {
        expectReply(testCase.input, testCase.expected)
    }

    @Test(arguments: [
        ReplyCase("null", "_\r\n", .null),
        ReplyCase("double", ",1.5\r\n", .double(1.5)),
        ReplyCase("integral double", ",10\r\n", .double(10)),
        ReplyCase("double with exponent", ",-0.25e-3\r\n", .double(-0.00025)),
        ReplyCase("double with capital exponent and plus", ",+1E5\r\n", .double(100_000)),
        ReplyCase("double with exponent sign", ",2e+2\r\n", .double(200)),
        ReplyCase("infinity", ",inf\r\n", .double(.infinity)),
        ReplyCase("negative infinity", ",-inf\r\n", .double(-.infinity)),
        ReplyCase("not a number", ",nan\r\n", .double(.nan)),
        ReplyCase("true", "#t\r\n", .boolean(true)),
        ReplyCase("false", "#f\r\n", .boolean(false)),
        ReplyCase("big number", "(3492890328409238509324850943850943825024385\r\n",
                  .bigNumber("3492890328409238509324850943850943825024385")),
        ReplyCase("negative big number", "(-1\r\n", .bigNumber("-1")),
        ReplyCase("blob error", "!21\r\nSYNTAX invalid syntax\r\n", .error("SYNTAX invalid syntax")),
        ReplyCase("blob error with CRLF", "!4\r\na\r\nb\r\n", .error("a\r\nb")),
        ReplyCase("empty blob error", "!0\r\n\r\n", .error("")),
        ReplyCase("verbatim string", "=15\r\ntxt:Some string\r\n", .verbatim(format: "txt", text: bytes("Some string"))),
        ReplyCase("empty verbatim string", "=4\r\nmkd:\r\n", .verbatim(format: "mkd", text: [])),
        ReplyCase("verbatim string with colons", "=7\r\ntxt:a:b\r\n", .verbatim(format: "txt", text: bytes("a:b"))),
        ReplyCase("map", "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", .map([
            RESPPair(key: .simpleString("first"), value: .integer(1)),
            RESPPair(key: .simpleString("second"), value: .integer(2)),
        ])),
        ReplyCase("empty map", "%0\r\n", .map([])),
        ReplyCase("map with aggregate key and value", "%1\r\n*1\r\n:1\r\n~1\r\n#t\r\n", .map([
            RESPPair(key: .array([.integer(1)]), value: .set([.boolean(true)])),
        ])),
        ReplyCase("map with repeated keys kept in order", "%2\r\n+k\r\n:1\r\n+k\r\n:2\r\n", .map([
            RESPPair(key: .simpleString("k"), value: .integer(1)),
            RESPPair(key: .simpleString("k"), value: .integer(2)),
        ])),
        ReplyCase("set", "~3\r\n+a\r\n+b\r\n+a\r\n", .set([.simpleString("a"), .simpleString("b"), .simpleString("a")])),
        ReplyCase("empty set", "~0\r\n", .set([])),
        ReplyCase("push", ">3\r\n+message\r\n+channel\r\n$5\r\nhello\r\n",
                  .push([.simpleString("message"), .simpleString("channel"), .bulkString(bytes("hello"))])),
        ReplyCase("HELLO 3 reply", "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n", .map([
            RESPPair(key: .bulkString(bytes("server")), value: .bulkString(bytes("redis"))),
            RESPPair(key: .bulkString(bytes("proto")), value: .integer(3)),
        ])),
        ReplyCase("every scalar in one array", "*9\r\n+s\r\n-e\r\n:1\r\n$1\r\nb\r\n_\r\n,0.5\r\n#f\r\n(9\r\n=5\r\ntxt:v\r\n", .array([
            .simpleString("s"), .error("e"), .integer(1), .bulkString(bytes("b")), .null, .double(0.5), .boolean(false),
            .bigNumber("9"), .verbatim(format: "txt", text: bytes("v")),
        ])),
    ])
    func resp3(_ testCase: ReplyCase) {
        expectReply(testCase.input, testCase.expected)
    }

    // MARK: - Attributes

    @Test(arguments: [
        ReplyCase("attribute before the reply (RESP3.md's example)",
                  "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
                  .array([.integer(2039123), .integer(9543892)])),
        ReplyCase("empty attribute", "|0\r\n+OK\r\n", .simpleString("OK")),
        ReplyCase("two attributes in a row", "|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n:3\r\n", .integer(3)),
        ReplyCase("attribute on an element", "*2\r\n|1\r\n+ttl\r\n:3600\r\n+a\r\n+b\r\n", .array([.simpleString("a"), .simpleString("b")])),
        ReplyCase("attribute on the last element", "*1\r\n|1\r\n+k\r\n+v\r\n:5\r\n", .array([.integer(5)])),
        ReplyCase("attribute inside an attribute", "|1\r\n|1\r\n+x\r\n+y\r\n+k\r\n+v\r\n_\r\n", .null),
        ReplyCase("attribute on a map value", "%1\r\n+k\r\n|0\r\n+v\r\n", .map([RESPPair(key: .simpleString("k"), value: .simpleString("v"))])),
    ])
    func attributesAreSkipped(_ testCase: ReplyCase) {
        expectReply(testCase.input, testCase.expected)
    }

    @Test func anAttributeAloneIsNotAReply() {
        let input = bytes("|1\r\n+k\r\n+v\r\n")
        for length in 0...input.count {
            #expect(parsePrefix(input, length: length) == .needMore, "prefix of \(length) bytes")
        }
    }

    // MARK: - Pipelining and nesting

    @Test func pipelinedRepliesAreReadOneAtATime() {
        let input = bytes("+OK\r\n:1\r\n$3\r\nfoo\r\n*1\r\n_\r\n")
        expectReply(input, .simpleString("OK"), consumed: 5)
        var offset = 0
        var replies: [RESPValue] = []
        while offset < input.count {
            let rest = Array(input[offset...])
            guard case .value(let value, let consumed) = RESPParser.parse(rest) else {
                Issue.record("no reply at offset \(offset)")
                return
            }
            #expect(consumed > 0)
            replies.append(value)
            offset += consumed
        }
        #expect(replies == [.simpleString("OK"), .integer(1), .bulkString(bytes("foo")), .array([.null])])
    }

    @Test func partialSecondReplyDoesNotHideTheFirst() {
        expectReply(bytes("*1\r\n:7\r\n*2\r\n:1\r\n"), .array([.integer(7)]), consumed: 8)
        expectReply(bytes("$2\r\nab\r\n$5\r\nab"), .bulkString(bytes("ab")), consumed: 8)
    }

    @Test func nestingUpToTheDefaultDepthIsRead() {
        expectReply(nestedArrays(32), nestedArrayValue(32))
    }

    @Test func deepAndWideMix() {
        let input = bytes("*3\r\n*2\r\n%1\r\n+k\r\n~1\r\n>0\r\n:2\r\n$0\r\n\r\n*1\r\n*1\r\n_\r\n")
        let expected = RESPValue.array([
            .array([.map([RESPPair(key: .simpleString("k"), value: .set([.push([])]))]), .integer(2)]),
            .bulkString([]),
            .array([.array([.null])]),
        ])
        expectReply(input, expected)
    }

    @Test func unsafeBufferOverloadReadsOnlyItsSlice() {
        // A reply that is whole in the backing array but cut in the slice offered must wait for more.
        let backing = bytes("xx$3\r\nfoo\r\nyy")
        let cut = backing.withUnsafeBytes { RESPParser.parse(UnsafeRawBufferPointer(rebasing: $0[2..<10])) }
        #expect(cut == .needMore)
        let whole = backing.withUnsafeBytes { RESPParser.parse(UnsafeRawBufferPointer(rebasing: $0[2..<11])) }
        #expect(whole == .value(.bulkString(bytes("foo")), consumed: 9))
    }

    @Test func emptyInputNeedsMore() {
        #expect(RESPParser.parse([UInt8]()) == .needMore)
    }

    @Test func largeBulkStringArrivesInPieces() {
        let data = [UInt8]((0..<100_000).map { UInt8(truncatingIfNeeded: $0) })
        let input = bytes("$100000\r\n") + data + bytes("\r\n")
        for length in stride(from: 0, to: input.count, by: 997) {
            #expect(parsePrefix(input, length: length) == .needMore)
        }
        #expect(RESPParser.parse(input) == .value(.bulkString(data), consumed: input.count))
    }
}
