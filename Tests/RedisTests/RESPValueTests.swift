import Testing
@testable import Redis

/// `RESPValue`'s equality (nan equals nan) and the accessors callers read replies with.
@Suite struct RESPValueTests {
    @Test func notANumberEqualsItself() {
        #expect(RESPValue.double(.nan) == .double(.nan))
        #expect(RESPValue.array([.double(.nan)]) == .array([.double(.nan)]))
        #expect(RESPValue.double(.nan) != .double(0))
        #expect(RESPValue.double(0) == .double(-0.0))
    }

    @Test func valuesOfDifferentTypesDiffer() {
        #expect(RESPValue.simpleString("a") != .bulkString(bytes("a")))
        #expect(RESPValue.array([]) != .set([]))
        #expect(RESPValue.set([]) != .push([]))
        #expect(RESPValue.integer(1) != .bigNumber("1"))
        #expect(RESPValue.error("x") != .simpleString("x"))
        #expect(RESPValue.verbatim(format: "txt", text: []) != .verbatim(format: "mkd", text: []))
        #expect(RESPValue.map([RESPPair(key: .null, value: .null)]) != .map([]))
    }

    @Test func integerValue() {
        #expect(RESPValue.integer(-5).integerValue == -5)
        #expect(RESPValue.bulkString(bytes("5")).integerValue == nil, "no conversion from text")
        #expect(RESPValue.null.integerValue == nil)
    }

    @Test func bytesAndString() {
        #expect(RESPValue.bulkString([0x61, 0xFF]).bytes == [0x61, 0xFF])
        #expect(RESPValue.bulkString([0x61, 0xFF]).string == "a\u{FFFD}", "invalid UTF-8 is replaced, not nil")
        #expect(RESPValue.simpleString("OK").bytes == bytes("OK"))
        #expect(RESPValue.simpleString("OK").string == "OK")
        #expect(RESPValue.verbatim(format: "txt", text: bytes("hi")).bytes == bytes("hi"))
        #expect(RESPValue.verbatim(format: "txt", text: bytes("hi")).string == "hi")
        #expect(RESPValue.error("ERR").string == nil)
        #expect(RESPValue.integer(1).bytes == nil)
        #expect(RESPValue.null.string == nil)
    }

    @Test func arrayValue() {
        #expect(RESPValue.array([.integer(1)]).arrayValue == [.integer(1)])
        #expect(RESPValue.set([.integer(2)]).arrayValue == [.integer(2)])
        #expect(RESPValue.push([.integer(3)]).arrayValue == [.integer(3)])
        #expect(RESPValue.map([]).arrayValue == nil)
        #expect(RESPValue.null.arrayValue == nil)
    }

    @Test func errorMessageAndNull() {
        #expect(RESPValue.error("NOSCRIPT No matching script").errorMessage == "NOSCRIPT No matching script")
        #expect(RESPValue.simpleString("OK").errorMessage == nil)
        #expect(RESPValue.null.isNull)
        #expect(!RESPValue.bulkString([]).isNull)
    }
}
