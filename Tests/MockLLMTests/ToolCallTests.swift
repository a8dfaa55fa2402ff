import MockLLMSupport
import Foundation
import Testing

/// Function calling: a call to the first tool when asked, streamed argument pieces that concatenate to
/// `{"query": <user text>}`, and `tool said: …` once the tool's result comes back.
@Suite struct ToolCallTests {
    static let userText = "weather in \"Paris\"?"
    static var openAITools: [[String: Any]] {
        [
            ["type": "function", "function": ["name": "search", "parameters": ["type": "object"]]],
            ["type": "function", "function": ["name": "other", "parameters": ["type": "object"]]],
        ]
    }
    static var anthropicTools: [[String: Any]] {
        [["name": "lookup", "input_schema": ["type": "object"]], ["name": "other", "input_schema": ["type": "object"]]]
    }

    static func parsedQuery(_ arguments: String) throws -> String? {
        let object = try JSONSerialization.jsonObject(with: Data(arguments.utf8)) as? [String: Any]
        #expect(object?.count == 1)
        return object?["query"] as? String
    }

    @Test func openAINonStreamCallsTheFirstTool() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.openAI(model: "gpt-4o-mini?tool=1", text: Self.userText, extra: ["tools": Self.openAITools])
        let object = try mock.request("POST", "/v1/chat/completions", body: body).json()
        #expect(value(object, "choices", 0, "finish_reason") as? String == "tool_calls")
        #expect(value(object, "choices", 0, "message", "content") is NSNull)
        let call = try #require(value(object, "choices", 0, "message", "tool_calls", 0) as? [String: Any])
        #expect((call["id"] as? String)?.hasPrefix("call_mock_") == true)
        #expect(call["type"] as? String == "function")
        #expect(value(call, "function", "name") as? String == "search")
        #expect(try Self.parsedQuery(value(call, "function", "arguments") as? String ?? "") == Self.userText)
        // Without the option, the same request is answered with text.
        let plain = try mock.request(
            "POST", "/v1/chat/completions", body: Body.openAI(text: "hi", extra: ["tools": Self.openAITools])).json()
        #expect(value(plain, "choices", 0, "message", "content") as? String == "echo: hi")
    }

    @Test func openAIStreamSplitsTheArgumentsOverSeveralDeltas() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.openAI(text: Self.userText, extra: ["tools": Self.openAITools, "stream": true])
        let response = try mock.request("POST", "/v1/chat/completions", headers: [("X-Mock-Tool-Call", "1")], body: body)
        let events = SSEEvent.parse(response.text)
        #expect(events.last?.data == "[DONE]")
        let chunks = try events.dropLast().map { try $0.json() }
        let first = try #require(value(chunks.first, "choices", 0, "delta", "tool_calls", 0) as? [String: Any])
        #expect(first["index"] as? Int == 0)
        #expect((first["id"] as? String)?.hasPrefix("call_mock_") == true)
        #expect(first["type"] as? String == "function")
        #expect(value(first, "function", "name") as? String == "search")
        let pieces = chunks.dropFirst().compactMap { value($0, "choices", 0, "delta", "tool_calls", 0, "function", "arguments") as? String }
        #expect(pieces.count >= 2)
        #expect(chunks.dropFirst().allSatisfy { value($0, "choices", 0, "delta", "tool_calls", 0, "index") as? Int ?? 0 == 0 })
        #expect(try Self.parsedQuery(pieces.joined()) == Self.userText)
        #expect(value(chunks.last, "choices", 0, "finish_reason") as? String == "tool_calls")
    }

    @Test func anthropicNonStreamToolUseWhenTheModelNameSaysTool() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.anthropic(model: "claude-tool-test", text: Self.userText, extra: ["tools": Self.anthropicTools])
        let object = try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: body).json()
        #expect(object["stop_reason"] as? String == "tool_use")
        let block = try #require(value(object, "content", 0) as? [String: Any])
        #expect(block["type"] as? String == "tool_use")
        #expect((block["id"] as? String)?.hasPrefix("toolu_mock_") == true)
        #expect(block["name"] as? String == "lookup")
        #expect(value(block, "input", "query") as? String == Self.userText)
    }

    @Test func anthropicStreamSendsInputJSONDeltas() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.anthropic(
            model: "claude?tool=1&chunks=1", text: Self.userText, extra: ["tools": Self.anthropicTools, "stream": true])
        let events = SSEEvent.parse(try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: body).text)
        let objects = try events.map { try $0.json() }
        let start = try #require(objects.first { $0["type"] as? String == "content_block_start" })
        #expect(value(start, "content_block", "type") as? String == "tool_use")
        #expect(value(start, "content_block", "name") as? String == "lookup")
        #expect((value(start, "content_block", "input") as? [String: Any])?.isEmpty == true)
        let deltas = objects.filter { $0["type"] as? String == "content_block_delta" }
        #expect(deltas.count >= 2, "at least two pieces even when one chunk is asked")
        #expect(deltas.allSatisfy { value($0, "delta", "type") as? String == "input_json_delta" })
        let json = deltas.compactMap { value($0, "delta", "partial_json") as? String }.joined()
        #expect(try Self.parsedQuery(json) == Self.userText)
        let messageDelta = try #require(objects.first { $0["type"] as? String == "message_delta" })
        #expect(value(messageDelta, "delta", "stop_reason") as? String == "tool_use")
        #expect(events.last?.event == "message_stop")
    }

    @Test func toolResultsAreAnsweredWithToolSaid() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let openAI = Body.json([
            "model": "gpt-4o-mini?tool=1",
            "tools": Self.openAITools,
            "messages": [
                ["role": "user", "content": "weather?"],
                ["role": "assistant", "content": NSNull(), "tool_calls": [
                    ["id": "call_1", "type": "function", "function": ["name": "search", "arguments": "{\"query\":\"weather?\"}"]],
                ]],
                ["role": "tool", "tool_call_id": "call_1", "content": "sunny, 21C"],
            ],
        ])
        let answer = try mock.request("POST", "/v1/chat/completions", body: openAI).json()
        #expect(value(answer, "choices", 0, "message", "content") as? String == "tool said: sunny, 21C")
        #expect(value(answer, "choices", 0, "finish_reason") as? String == "stop")
        let anthropic = Body.json([
            "model": "claude-tool",
            "max_tokens": 50,
            "tools": Self.anthropicTools,
            "messages": [
                ["role": "user", "content": "weather?"],
                ["role": "assistant", "content": [["type": "tool_use", "id": "toolu_1", "name": "lookup", "input": ["query": "weather?"]]]],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "toolu_1",
                                              "content": [["type": "text", "text": "sunny, 21C"]]]]],
            ],
        ])
        let message = try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: anthropic).json()
        #expect(value(message, "content", 0, "text") as? String == "tool said: sunny, 21C")
        #expect(message["stop_reason"] as? String == "end_turn")
    }
}
