import HTTP
import Testing

/// The upstream SSE parser, fed whole, one byte at a time, and cut in two at every position.
@Suite struct ServerSentEventParserTests {
    /// Parses `text` every way it can arrive; all ways must agree. Returns the events.
    func parse(_ text: String, file: String = #file) throws -> [ServerSentEvent] {
        let bytes = Array(text.utf8)
        func run(_ pieces: [ArraySlice<UInt8>]) throws -> [ServerSentEvent] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            for piece in pieces { try parser.feed(Array(piece)) { events.append($0) } }
            return events
        }
        let whole = try run([bytes[...]])
        #expect(try run(bytes.indices.map { bytes[$0...$0] }) == whole, "byte by byte")
        for cut in 0...bytes.count {
            #expect(try run([bytes[..<cut], bytes[cut...]]) == whole, "cut at \(cut)")
        }
        return whole
    }

    @Test func openAIStyleDataEvents() throws {
        let events = try parse("data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n")
        #expect(events.map(\.data) == ["{\"a\":1}", "{\"a\":2}", "[DONE]"])
        #expect(events.allSatisfy { $0.event == nil })
    }

    @Test func anthropicStyleNamedEvents() throws {
        let events = try parse("event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: ping\ndata: {}\n\n")
        #expect(events == [
            ServerSentEvent(event: "message_start", data: "{\"type\":\"message_start\"}"),
            ServerSentEvent(event: "ping", data: "{}"),
        ])
    }

    @Test func multiLineDataIsJoinedWithLF() throws {
        #expect(try parse("data: one\ndata: two\ndata:three\n\n") == [ServerSentEvent(data: "one\ntwo\nthree")])
    }

    @Test(arguments: ["\r\n", "\n", "\r"])
    func everyLineEndingWorks(_ end: String) throws {
        let text = "event: x\(end)data: a\(end)data: b\(end)\(end)data: c\(end)\(end)"
        #expect(try parse(text) == [ServerSentEvent(event: "x", data: "a\nb"), ServerSentEvent(data: "c")])
    }

    @Test func commentsAndUnknownFieldsAreIgnored() throws {
        #expect(try parse(": keep-alive\n\n: ping\nretry: 100\nfoo: bar\ndata: x\n\n") == [ServerSentEvent(data: "x")])
    }

    @Test func onlyOneSpaceAfterTheColonIsDropped() throws {
        #expect(try parse("data:  two spaces\n\ndata:none\n\n").map(\.data) == [" two spaces", "none"])
    }

    @Test func fieldWithoutColonHasEmptyValue() throws {
        #expect(try parse("data\n\n") == [ServerSentEvent(data: "")])
    }

    @Test func blankLinesWithoutDataDispatchNothing() throws {
        #expect(try parse("\n\n\nevent: lonely\n\n").isEmpty)
    }

    @Test func eventTypeDoesNotLeakIntoTheNextEvent() throws {
        #expect(try parse("event: a\ndata: 1\n\ndata: 2\n\n").map(\.event) == ["a", nil])
    }

    @Test func idIsKeptUntilChanged() throws {
        #expect(try parse("id: 7\ndata: a\n\ndata: b\n\n").map(\.id) == ["7", "7"])
    }

    @Test func leadingBOMIsSkipped() throws {
        #expect(try parse("\u{FEFF}data: x\n\n") == [ServerSentEvent(data: "x")])
    }

    @Test func unfinishedEventIsNotEmitted() throws {
        #expect(try parse("data: partial").isEmpty)
        #expect(try parse("data: partial\n").isEmpty)
    }

    @Test func multibyteUTF8CutAnywhereSurvives() throws {
        #expect(try parse("data: héllo 🌍\n\n") == [ServerSentEvent(data: "héllo 🌍")])
    }

    @Test func overlongLineIsAnError() {
        var parser = ServerSentEventParser(maxLineBytes: 16)
        #expect(throws: ServerSentEventParser.Failure.lineTooLong) {
            try parser.feed(Array("data: 0123456789abcdef".utf8)) { _ in }
        }
    }

    @Test func oversizeEventIsAnError() {
        var parser = ServerSentEventParser(maxEventBytes: 8)
        #expect(throws: ServerSentEventParser.Failure.eventTooLarge) {
            try parser.feed(Array("data: 12345\ndata: 6789\n".utf8)) { _ in }
        }
    }
}
