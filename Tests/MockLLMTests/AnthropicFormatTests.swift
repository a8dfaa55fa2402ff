import MockLLMSupport
import Foundation
import Testing

/// The Messages API wire format: message bodies, the stream's event sequence, required header and fields.
@Suite struct AnthropicFormatTests {
    @Test func nonStreamMessageWithSystemBlocksAndContentBlocks() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.json([
            "model": "claude-3-5-haiku-latest",
            "max_tokens": 100,
            "system": [["type": "text", "text": "be nice"]],
            "messages": [
                ["role": "user", "content": "first"],
                ["role": "assistant", "content": [["type": "text", "text": "ok"]]],
                ["role": "user", "content": [["type": "text", "text": "hello there world"]]],
            ],
        ])
        let response = try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: body)
        #expect(response.status == 200)
        #expect(response.header("request-id") != nil)
        let object = try response.json()
        #expect((object["id"] as? String)?.hasPrefix("msg_mock_") == true)
        #expect(object["type"] as? String == "message")
        #expect(object["role"] as? String == "assistant")
        #expect(object["model"] as? String == "claude-3-5-haiku-latest")
        #expect(value(object, "content", 0, "type") as? String == "text")
        #expect(value(object, "content", 0, "text") as? String == "echo: hello there world")
        #expect(object["stop_reason"] as? String == "end_turn")
        #expect(object["stop_sequence"] is NSNull)
        // 7 + 5 + 2 + 17 = 31 characters → 8 input tokens; 4 words out.
        #expect(value(object, "usage", "input_tokens") as? Int == 8)
        #expect(value(object, "usage", "output_tokens") as? Int == 4)
    }

    @Test func systemAsStringAndMaxTokensTruncation() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.anthropic(text: "one two three", extra: ["system": "sys", "max_tokens": 2])
        let object = try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: body).json()
        #expect(value(object, "content", 0, "text") as? String == "echo: one")
        #expect(object["stop_reason"] as? String == "max_tokens")
        #expect(value(object, "usage", "input_tokens") as? Int == 4)  // 3 + 13 = 16 characters
        #expect(value(object, "usage", "output_tokens") as? Int == 2)
    }

    @Test func streamEventSequence() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.anthropic(model: "claude-3-5-haiku-latest?chunks=2", text: "a b c", extra: ["stream": true])
        let response = try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: body)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/event-stream")
        #expect(response.header("Cache-Control") == "no-cache")
        let events = SSEEvent.parse(response.text)
        #expect(events.map { $0.event ?? "" } == [
            "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop",
        ])
        let objects = try events.map { try $0.json() }
        for (event, object) in zip(events, objects) { #expect(object["type"] as? String == event.event) }
        #expect(value(objects[0], "message", "usage", "input_tokens") as? Int == 2)
        #expect(value(objects[0], "message", "usage", "output_tokens") as? Int == 1)
        #expect(value(objects[0], "message", "stop_reason") is NSNull)
        #expect((value(objects[0], "message", "content") as? [Any])?.isEmpty == true)
        #expect(value(objects[1], "content_block", "type") as? String == "text")
        let deltas = objects[3...4].map { value($0, "delta", "text") as? String ?? "<none>" }
        #expect(objects[3...4].allSatisfy { value($0, "delta", "type") as? String == "text_delta" })
        #expect(deltas == ["echo: a", " b c"])
        #expect(value(objects[6], "delta", "stop_reason") as? String == "end_turn")
        #expect(value(objects[6], "usage", "output_tokens") as? Int == 4)
    }

    @Test func missingVersionHeaderOrMaxTokensIs400InAnthropicFormat() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let noVersion = try mock.request("POST", "/v1/messages", body: Body.anthropic())
        #expect(noVersion.status == 400)
        let error = try noVersion.json()
        #expect(error["type"] as? String == "error")
        #expect(value(error, "error", "type") as? String == "invalid_request_error")
        #expect((value(error, "error", "message") as? String)?.contains("anthropic-version") == true)
        let noMaxTokens = Body.json(["model": "claude", "messages": [["role": "user", "content": "hi"]]])
        let missing = try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: noMaxTokens)
        #expect(missing.status == 400)
        #expect((value(try missing.json(), "error", "message") as? String)?.contains("max_tokens") == true)
    }
}
