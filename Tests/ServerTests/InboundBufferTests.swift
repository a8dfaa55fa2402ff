import Testing
@testable import Server

/// The connection's read buffer: bytes kept in order across compaction and growth, and its region given back
/// while a stream is answered, then allocated again by the next read.
@Suite struct InboundBufferTests {
    static func write(_ text: String, into buffer: InboundBuffer) {
        let bytes = Array(text.utf8)
        let space = buffer.writableSpace(minimum: bytes.count)
        space.copyBytes(from: bytes)
        buffer.didWrite(bytes.count)
    }

    static func text(_ buffer: InboundBuffer) -> String { String(decoding: buffer.readable, as: UTF8.self) }

    @Test func bytesSurviveCompactionAndGrowth() {
        let buffer = InboundBuffer(initialCapacity: 16)
        Self.write("0123456789", into: buffer)
        buffer.consume(8)
        Self.write("abcdefghij", into: buffer)  // compacts: "89" moves to the front
        #expect(Self.text(buffer) == "89abcdefghij")
        Self.write(String(repeating: "x", count: 40), into: buffer)  // grows
        #expect(Self.text(buffer) == "89abcdefghij" + String(repeating: "x", count: 40))
        #expect(buffer.capacity >= 52)
    }

    @Test func anEmptyBufferGivesItsRegionBackAndTheNextReadAllocatesItAgain() {
        let buffer = InboundBuffer(initialCapacity: 2048)
        Self.write("GET / HTTP/1.1\r\n", into: buffer)
        buffer.release()
        #expect(buffer.capacity == 2048, "not empty: kept")
        buffer.consume(buffer.readableCount)
        buffer.release()
        #expect(buffer.capacity == 0 && buffer.isEmpty && buffer.readable.isEmpty)
        let space = buffer.writableSpace(minimum: 1024)
        #expect(space.count == 2048 && buffer.capacity == 2048)
        Self.write("next", into: buffer)
        #expect(Self.text(buffer) == "next")
        buffer.consume(4)
        buffer.release()
        #expect(buffer.writableSpace(minimum: 5000).count == 8192, "a larger first read doubles the initial capacity")
    }
}
