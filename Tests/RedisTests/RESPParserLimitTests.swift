import Testing
@testable import Redis

/// `RESPParserLimits`: each limit is enforced as soon as the line that declares a size is complete (or, for
/// a line, as soon as it is one byte too long), so a server cannot make a connection buffer without bound.
@Suite struct RESPParserLimitTests {
    /// Small limits so every input can be cut at every byte quickly.
    static let limits = RESPParserLimits(maxBulkBytes: 8, maxElements: 3, maxDepth: 4, maxLineBytes: 16)

    @Test func defaults() {
        let limits = RESPParserLimits.default
        #expect(limits.maxBulkBytes == 16 << 20)
        #expect(limits.maxElements == 1 << 20)
        #expect(limits.maxDepth == 32)
        #expect(limits.maxLineBytes == 64 << 10)
        #expect(limits == RESPParserLimits())
    }

    // MARK: - maxBulkBytes

    @Test func bulkExactlyAtTheLimitPasses() {
        expectReply(bytes("$8\r\n12345678\r\n"), .bulkString(bytes("12345678")), limits: Self.limits)
        expectReply(bytes("!8\r\n12345678\r\n"), .error("12345678"), limits: Self.limits)
        expectReply(bytes("=8\r\ntxt:1234\r\n"), .verbatim(format: "txt", text: bytes("1234")), limits: Self.limits)
    }

    @Test(arguments: ["$9\r\n123456789\r\n", "!9\r\n123456789\r\n", "=9\r\ntxt:12345\r\n"])
    func bulkOverTheLimitFailsOnItsHeader(_ wire: WireText) {
        #expect(expectFailure(wire.bytes, .bulkTooLarge, limits: Self.limits) == 4)
    }

    @Test func defaultBulkLimitIsSixteenMebibytes() {
        #expect(RESPParser.parse(bytes("$16777216\r\n")) == .needMore)
        #expect(RESPParser.parse(bytes("$16777217\r\n")) == .failure(.bulkTooLarge))
        #expect(RESPParser.parse(bytes("$9223372036854775807\r\n")) == .failure(.bulkTooLarge))
    }

    // MARK: - maxElements

    @Test func elementsExactlyAtTheLimitPass() {
        expectReply(bytes("*3\r\n:1\r\n:2\r\n:3\r\n"), .array([.integer(1), .integer(2), .integer(3)]), limits: Self.limits)
        expectReply(bytes("~3\r\n_\r\n_\r\n_\r\n"), .set([.null, .null, .null]), limits: Self.limits)
        // A map's count is of pairs: three pairs are six values.
        let map = bytes("%3\r\n:1\r\n:1\r\n:2\r\n:2\r\n:3\r\n:3\r\n")
        expectReply(map, .map((1...3).map { RESPPair(key: .integer($0), value: .integer($0)) }), limits: Self.limits)
    }

    @Test(arguments: ["*4\r\n", "~4\r\n", ">4\r\n", "%4\r\n", "|4\r\n", "*1\r\n*4\r\n"])
    func elementsOverTheLimitFailOnTheHeader(_ wire: WireText) {
        let input = wire.bytes + bytes(String(repeating: ":1\r\n", count: 8))
        #expect(expectFailure(input, .tooManyElements, limits: Self.limits) == wire.bytes.count)
    }

    @Test func defaultElementLimitIsOneMebi() {
        // A header declaring the most elements allocates for none of them until they arrive.
        #expect(RESPParser.parse(bytes("*1048576\r\n:1\r\n")) == .needMore)
        #expect(RESPParser.parse(bytes("*1048577\r\n")) == .failure(.tooManyElements))
        #expect(RESPParser.parse(bytes("%9223372036854775807\r\n")) == .failure(.tooManyElements))
    }

    @Test func unlimitedElementsStillCannotOverflowAMapCount() {
        let limits = RESPParserLimits(maxElements: .max)
        #expect(RESPParser.parse(bytes("%4611686018427387904\r\n"), limits: limits) == .failure(.tooManyElements))
        #expect(RESPParser.parse(bytes("%4611686018427387903\r\n"), limits: limits) == .needMore)
    }

    // MARK: - maxDepth

    @Test func depthExactlyAtTheLimitPasses() {
        expectReply(nestedArrays(4), nestedArrayValue(4), limits: Self.limits)
    }

    @Test func depthOverTheLimitFailsOnTheHeader() {
        #expect(expectFailure(nestedArrays(5), .tooDeep, limits: Self.limits) == 20)
        // Empty aggregates still open a level.
        expectFailure(bytes("*1\r\n*1\r\n*1\r\n*1\r\n%0\r\n"), .tooDeep, limits: Self.limits)
    }

    @Test func attributesCountTowardDepth() {
        expectFailure(bytes("*1\r\n*1\r\n*1\r\n*1\r\n|1\r\n+k\r\n+v\r\n:1\r\n"), .tooDeep, limits: Self.limits)
        expectReply(bytes("*1\r\n*1\r\n*1\r\n|1\r\n+k\r\n+v\r\n*1\r\n:1\r\n"), nestedArrayValue(4), limits: Self.limits)
    }

    @Test func nullArrayIsNotALevel() {
        let flat = RESPParserLimits(maxDepth: 0)
        expectReply(bytes("*-1\r\n"), .null, limits: flat)
        expectReply(bytes(":1\r\n"), .integer(1), limits: flat)
        expectFailure(bytes("*0\r\n"), .tooDeep, limits: flat)
    }

    @Test func defaultDepthLimitIs32() {
        #expect(RESPParser.parse(nestedArrays(32)) == .value(nestedArrayValue(32), consumed: 32 * 4 + 4))
        #expect(RESPParser.parse(nestedArrays(33)) == .failure(.tooDeep))
        // Deep input is refused without recursion, however deep it goes.
        #expect(RESPParser.parse(nestedArrays(100_000)) == .failure(.tooDeep))
    }

    // MARK: - maxLineBytes

    @Test func lineExactlyAtTheLimitPasses() {
        let text = String(repeating: "a", count: 16)
        expectReply(bytes("+\(text)\r\n"), .simpleString(text), limits: Self.limits)
        expectReply(bytes(":\(String(repeating: "1", count: 16))\r\n"), .integer(1_111_111_111_111_111), limits: Self.limits)
    }

    @Test func lineAtTheLimitWaitsForItsLineFeed() {
        let input = bytes("+" + String(repeating: "a", count: 16) + "\r")
        #expect(parsePrefix(input, length: input.count, limits: Self.limits) == .needMore)
    }

    @Test(arguments: ["+", "-", ":", "$", "*", ",", "(", "#", "_", "%", "|", "=", "!"])
    func lineOverTheLimitFailsOnItsFirstExtraByte(_ type: String) {
        let input = bytes(type + String(repeating: "1", count: 17) + "\r\n")
        #expect(expectFailure(input, .lineTooLong, limits: Self.limits) == 18)
    }

    @Test func endlessLineFailsWithoutItsLineEnd() {
        let input = bytes("*1\r\n-" + String(repeating: "x", count: 200))
        #expect(expectFailure(input, .lineTooLong, limits: Self.limits) == 4 + 18)
    }

    @Test func defaultLineLimitIs64Kibibytes() {
        let fits = bytes("+" + String(repeating: "a", count: 65_536) + "\r\n")
        #expect(RESPParser.parse(fits) == .value(.simpleString(String(repeating: "a", count: 65_536)), consumed: fits.count))
        let endless = bytes("+" + String(repeating: "a", count: 65_537))
        #expect(RESPParser.parse(endless) == .failure(.lineTooLong))
    }

    @Test func bulkDataIsNotALine() {
        // The line limit covers headers and scalar lines; bulk data is bounded by maxBulkBytes alone.
        let limits = RESPParserLimits(maxBulkBytes: 64, maxLineBytes: 4)
        let data = String(repeating: "d", count: 64)
        expectReply(bytes("$64\r\n\(data)\r\n"), .bulkString(bytes(data)), limits: limits)
    }
}
