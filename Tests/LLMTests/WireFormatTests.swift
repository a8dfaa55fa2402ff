import JSON
@testable import LLM
import Testing

/// Requests as each wire format sends them, and answers as each decodes them.
@Suite struct WireFormatTests {
    let openAI = OpenAIWire(configuration: ProviderConfiguration(name: "openai", kind: .openai, baseURL: "http://up/v1/", apiKey: "sk-test"))
    let anthropic = AnthropicWire(configuration: ProviderConfiguration(name: "anthropic", kind: .anthropic, baseURL: "http://up", apiKey: "ak-test"))

    static let weatherTool: JSONValue = [
        "type": "function",
        "function": ["name": "weather", "description": "Weather by city",
                     "parameters": ["type": "object", "properties": ["city": ["type": "string"]]]],
    ]

    func body(_ request: TransferRequest) throws -> JSONValue { try JSONValue.parse(request.body) }

    @Test func openAIRequestCarriesEveryParameterAndStreamUsage() throws {
        let request = ChatRequest(
            model: "gpt-4o-mini", messages: [.system("be brief"), .user("hi")], maxTokens: 50, temperature: 0.2,
            topP: 0.9, stop: ["END"], user: "u1", tools: [WireFormatTests.weatherTool], toolChoice: "auto",
            parallelToolCalls: false, requestID: "req-1", traceparent: "00-abc-def-01"
        )
        let transfer = try openAI.makeRequest(request, stream: true)
        #expect(transfer.url == "http://up/v1/chat/completions")
        #expect(transfer.headers.contains { $0.name == "Authorization" && $0.value == "Bearer sk-test" })
        #expect(transfer.headers.contains { $0.name == "X-Request-ID" && $0.value == "req-1" })
        #expect(transfer.headers.contains { $0.name == "traceparent" && $0.value == "00-abc-def-01" })
        let json = try body(transfer)
        #expect(json["model"] == "gpt-4o-mini")
        #expect(json["messages"] == [["role": "system", "content": "be brief"], ["role": "user", "content": "hi"]])
        #expect(json["max_tokens"] == 50)
        #expect(json["temperature"] == 0.2)
        #expect(json["stop"] == ["END"])
        #expect(json["tools"] == [WireFormatTests.weatherTool])
        #expect(json["tool_choice"] == "auto")
        #expect(json["parallel_tool_calls"] == false)
        #expect(json["stream"] == true)
        #expect(json["stream_options"] == ["include_usage": true])
    }

    @Test func structuredOutputGoesToOpenAIKindAndAnthropicKindRefusesIt() throws {
        var request = ChatRequest(model: "m", messages: [.user("hi")])
        request.responseFormat = ["type": "json_schema", "json_schema": ["name": "a", "schema": ["type": "object"]]]
        #expect(try body(openAI.makeRequest(request, stream: false))["response_format"] == request.responseFormat)
        #expect(throws: ProviderError.self) { try anthropic.makeRequest(request, stream: false) }
        request.responseFormat = ["type": "text"]
        #expect(try body(anthropic.makeRequest(request, stream: false))["response_format"] == nil)
    }

    @Test func anthropicPassthroughReplacesTheTranslationButModelAndStream() throws {
        var request = ChatRequest(model: "claude", messages: [.user("hi")], maxTokens: 10)
        request.anthropic = AnthropicPassthrough(
            body: JSONObject([("max_tokens", 10), ("top_k", 3), ("messages", [["role": "user", "content": [["type": "text", "text": "hi", "cache_control": ["type": "ephemeral"]]]]])]),
            version: "2023-06-01", beta: "prompt-caching-2024-07-31"
        )
        let transfer = try anthropic.makeRequest(request, stream: true)
        let json = try body(transfer)
        #expect(json["model"] == "claude" && json["stream"] == true && json["top_k"] == 3)
        #expect(json["messages"]?[0]?["content"]?[0]?["cache_control"] == ["type": "ephemeral"])
        #expect(transfer.headers.contains { $0.name == "anthropic-beta" && $0.value == "prompt-caching-2024-07-31" })
        let counted = try body(anthropic.makeCountRequest(request))
        #expect(counted["top_k"] == nil && counted["max_tokens"] == nil && counted["stream"] == nil && counted["messages"] != nil)
    }

    @Test func openAIToolLoopMessagesPassThrough() throws {
        let messages = [
            ChatMessage.user("weather in Paris?"),
            ChatMessage(role: .assistant, toolCalls: [ToolCall(id: "call_1", name: "weather", arguments: "{\"city\":\"Paris\"}")]),
            ChatMessage(role: .tool, content: .text("sunny"), toolCallID: "call_1"),
        ]
        let json = try body(openAI.makeRequest(ChatRequest(model: "m", messages: messages), stream: false))
        #expect(json["messages"]?[1] == [
            "role": "assistant", "content": nil,
            "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "weather", "arguments": "{\"city\":\"Paris\"}"]]],
        ])
        #expect(json["messages"]?[2] == ["role": "tool", "content": "sunny", "tool_call_id": "call_1"])
    }

    @Test func anthropicHoistsSystemAndAlwaysSendsMaxTokens() throws {
        let transfer = try anthropic.makeRequest(ChatRequest(model: "claude", messages: [.system("a"), .system("b"), .user("hi")], temperature: 1.5), stream: false)
        #expect(transfer.url == "http://up/v1/messages")
        #expect(transfer.headers.contains { $0.name == "anthropic-version" && $0.value == "2023-06-01" })
        #expect(transfer.headers.contains { $0.name == "x-api-key" && $0.value == "ak-test" })
        let json = try body(transfer)
        #expect(json["system"] == "a\n\nb")
        #expect(json["max_tokens"] == 4096)
        #expect(json["temperature"] == 1.0)
        #expect(json["messages"] == [["role": "user", "content": "hi"]])
    }

    @Test func anthropicTranslatesToolsCallsAndResults() throws {
        let messages = [
            ChatMessage.user("weather in Paris and Rome?"),
            ChatMessage(role: .assistant, content: .text("checking"), toolCalls: [
                ToolCall(id: "call_1", name: "weather", arguments: "{\"city\":\"Paris\"}"),
                ToolCall(id: "call_2", name: "weather", arguments: "{\"city\":\"Rome\"}"),
            ]),
            ChatMessage(role: .tool, content: .text("sunny"), toolCallID: "call_1"),
            ChatMessage(role: .tool, content: .text("rainy"), toolCallID: "call_2"),
        ]
        let request = ChatRequest(model: "claude", messages: messages, tools: [WireFormatTests.weatherTool], toolChoice: "required", parallelToolCalls: false)
        let json = try body(anthropic.makeRequest(request, stream: false))
        #expect(json["tools"] == [["name": "weather", "description": "Weather by city",
                                   "input_schema": ["type": "object", "properties": ["city": ["type": "string"]]]]])
        #expect(json["tool_choice"] == ["type": "any", "disable_parallel_tool_use": true])
        #expect(json["messages"]?[1] == ["role": "assistant", "content": [
            ["type": "text", "text": "checking"],
            ["type": "tool_use", "id": "call_1", "name": "weather", "input": ["city": "Paris"]],
            ["type": "tool_use", "id": "call_2", "name": "weather", "input": ["city": "Rome"]],
        ]])
        // Both results come back in one user turn.
        #expect(json["messages"]?[2] == ["role": "user", "content": [
            ["type": "tool_result", "tool_use_id": "call_1", "content": "sunny"],
            ["type": "tool_result", "tool_use_id": "call_2", "content": "rainy"],
        ]])
        #expect(json["messages"]?.arrayValue?.count == 3)
    }

    @Test func anthropicNamedToolChoice() {
        #expect(AnthropicWire.encodeToolChoice(["type": "function", "function": ["name": "weather"]], parallel: nil) == ["type": "tool", "name": "weather"])
        #expect(AnthropicWire.encodeToolChoice("none", parallel: nil) == ["type": "none"])
        #expect(AnthropicWire.encodeToolChoice(nil, parallel: nil) == nil)
    }

    @Test func openAICompletionWithToolCallsDecodes() throws {
        let body = Array("""
        {"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}
        """.utf8)
        let completion = try openAI.decodeCompletion(body)
        #expect(completion.toolCalls == [ToolCall(id: "call_9", name: "weather", arguments: "{\"city\":\"Oslo\"}")])
        #expect(completion.finishReason == .toolCalls)
        #expect(completion.usage == ChatUsage(inputTokens: 12, outputTokens: 7))
    }

    @Test func anthropicCompletionWithToolUseDecodes() throws {
        let body = Array("""
        {"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Oslo"}}],"stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":9,"cache_read_input_tokens":5}}
        """.utf8)
        let completion = try anthropic.decodeCompletion(body)
        #expect(completion.text == "Let me check.")
        #expect(completion.toolCalls == [ToolCall(id: "toolu_1", name: "weather", arguments: "{\"city\":\"Oslo\"}")])
        #expect(completion.finishReason == .toolCalls)
        #expect(completion.usage == ChatUsage(inputTokens: 25, outputTokens: 9))
    }
}
