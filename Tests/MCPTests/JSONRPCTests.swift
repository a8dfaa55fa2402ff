import JSON
import Testing
@testable import MCP

/// JSON-RPC framing and MCP's two answer forms, as pure functions of bytes: whole, cut at every byte, and on
/// random bytes.
@Suite struct JSONRPCTests {
    static let result = #"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"héllo"}],"isError":false}}"#
    static let sse = "event: message\ndata: " + #"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#
        + "\n\nevent: message\r\ndata: " + result + "\r\n\r\n"

    @Test func requestsAndNotificationsAreJSONRPC2() throws {
        let request = try JSONValue.parse(JSONRPC.request(id: 3, method: "tools/list", params: .object(JSONObject([("cursor", "c")]))))
        #expect(request["jsonrpc"] == "2.0" && request["id"] == 3 && request["method"] == "tools/list" && request["params"]?["cursor"] == "c")
        let notification = try JSONValue.parse(JSONRPC.notification(method: "notifications/initialized"))
        #expect(notification["id"] == nil && notification["params"] == nil)
    }

    @Test func eachKindOfMessageIsRecognised() throws {
        let batch = #"[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"no"}},"#
            + #"{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":2,"method":"sampling/createMessage"},{"id":3,"result":{}},7]"#
        let messages = JSONRPC.messages(try JSONValue.parse(Array(batch.utf8)))
        #expect(messages == [
            .result(id: 1, .object(JSONObject([]))), .error(id: "a", code: -32601, message: "no"), .notification(method: "n", params: nil),
            .request(id: 2, method: "sampling/createMessage", params: nil),
        ])
    }

    @Test func aJSONAnswerAndAnSSEAnswerGiveTheSameResult() {
        let json = JSONRPC.messages(contentType: "application/json; charset=utf-8", body: Array(Self.result.utf8))
        let sse = JSONRPC.messages(contentType: "text/event-stream", body: Array(Self.sse.utf8))
        #expect(json.count == 1 && sse.count == 2)
        #expect(sse.last == json.first)
        #expect(sse.first == .notification(method: "notifications/tools/list_changed", params: nil))
        #expect(JSONRPC.messages(contentType: "text/html", body: Array(Self.result.utf8)).isEmpty)
        #expect(JSONRPC.messages(contentType: nil, body: Array(Self.result.utf8)).isEmpty)
    }

    @Test func anAnswerCutAtAnyByteGivesNoMessageItDidNotWhollyHold() {
        let json = Array(Self.result.utf8)
        for cut in 0..<json.count {
            #expect(JSONRPC.messages(contentType: "application/json", body: Array(json[..<cut])).isEmpty, "json cut at \(cut)")
        }
        let sse = Array(Self.sse.utf8)
        let whole = JSONRPC.messages(contentType: "text/event-stream", body: sse)
        for cut in 0..<sse.count {
            let messages = JSONRPC.messages(contentType: "text/event-stream", body: Array(sse[..<cut]))
            // A prefix yields a prefix of the messages: never a changed or invented one.
            #expect(messages.count <= whole.count && Array(whole.prefix(messages.count)) == messages, "sse cut at \(cut)")
        }
    }

    @Test func randomBytesNeverCrashEitherForm() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,\ abdeginorstu0129-.\#n\#rdata: event: jsonrpc 2.0 id result"#.utf8)
        for _ in 0..<3_000 {
            let count = Int.random(in: 0..<80, using: &random)
            let bytes = (0..<count).map { _ in Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random) }
            _ = JSONRPC.messages(contentType: "text/event-stream", body: bytes)
            _ = JSONRPC.messages(contentType: "application/json", body: bytes)
        }
    }
}
