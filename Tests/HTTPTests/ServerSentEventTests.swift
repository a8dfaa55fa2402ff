import Testing
@testable import HTTP

/// `text/event-stream` encoding (HTML Living Standard §9.2): one `data:` line per line of data, whatever
/// the line end, so data can never end an event early or forge an `event:` or `id:` line.
@Suite struct ServerSentEventTests {
    static func text(_ event: ServerSentEvent) -> String { String(decoding: event.encoded(), as: UTF8.self) }

    @Test func singleLineData() {
        #expect(Self.text(ServerSentEvent(data: "{\"a\":1}")) == "data: {\"a\":1}\n\n")
    }

    @Test(arguments: [
        ("LF", "one\ntwo\nthree"),
        ("CRLF", "one\r\ntwo\r\nthree"),
        ("CR", "one\rtwo\rthree"),
        ("mixed", "one\r\ntwo\rthree"),
    ])
    func lineEndsBecomeSeveralDataLines(name: String, data: String) {
        #expect(Self.text(ServerSentEvent(data: data)) == "data: one\ndata: two\ndata: three\n\n")
    }

    @Test func emptyLinesInDataAreKept() {
        #expect(Self.text(ServerSentEvent(data: "a\n\nb")) == "data: a\ndata: \ndata: b\n\n")
        #expect(Self.text(ServerSentEvent(data: "a\r\r\nb")) == "data: a\ndata: \ndata: b\n\n")
        #expect(Self.text(ServerSentEvent(data: "a\n")) == "data: a\ndata: \n\n")
        #expect(Self.text(ServerSentEvent(data: "")) == "data: \n\n")
    }

    @Test func dataCannotForgeAnotherField() {
        let text = Self.text(ServerSentEvent(data: "x\nevent: admin\r\nid: 9"))
        #expect(text == "data: x\ndata: event: admin\ndata: id: 9\n\n")
    }

    @Test func eventAndIdLines() {
        let text = Self.text(ServerSentEvent(event: "message_delta", data: "hi", id: "42"))
        #expect(text == "event: message_delta\nid: 42\ndata: hi\n\n")
    }

    @Test func lineEndsInEventAndIdBecomeSpaces() {
        let text = Self.text(ServerSentEvent(event: "a\nb", data: "d", id: "1\r\n2\r3"))
        #expect(text == "event: a b\nid: 1  2 3\ndata: d\n\n")
    }

    @Test func nonASCIIDataIsUTF8() {
        #expect(ServerSentEvent(data: "café ☕").encoded() == bytes("data: café ☕\n\n"))
    }

    @Test func comment() {
        #expect(ServerSentEvent.comment("keep-alive") == bytes(": keep-alive\n\n"))
        #expect(ServerSentEvent.comment("a\r\nb") == bytes(": a  b\n\n"))
        #expect(ServerSentEvent.comment("") == bytes(": \n\n"))
    }
}
