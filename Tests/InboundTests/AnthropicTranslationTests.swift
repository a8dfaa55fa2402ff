import HTTP
import Inbound
import JSON
@testable import LLM
import Testing

/// Anthropic Messages inbound: exact JSON in → the internal request; the internal answer → exact JSON and exact
/// stream bytes; the stream read back by agentd's own Anthropic upstream decoder, cut at every byte.
@Suite("Anthropic Messages translation")
struct AnthropicTranslationTests {
    static func decode(_ json: String, forCounting: Bool = false) throws(InboundError) -> AnthropicMessagesRequest {
        let object = (try? JSONValue.parse(Array(json.utf8)))?.objectValue ?? JSONObject()
        return try AnthropicMessagesRequest(
            JSONFields(object), maxTokensLimit: 4096, requestID: "req-1", traceparent: nil, version: "2023-06-01", beta: nil,
            forCounting: forCounting
        )
    }

    @Test("system blocks, text, images, tool_use and tool_result become the internal messages, tools and choices")
    func requestTranslation() throws {
        let decoded = try Self.decode(#"""
        {"model":"ant:m","max_tokens":100,"stream":true,"temperature":0.5,"stop_sequences":["END"],"top_k":5,
         "metadata":{"user_id":"u1"},
         "system":[{"type":"text","text":"be brief"},{"type":"text","text":"and kind","cache_control":{"type":"ephemeral"}}],
         "tools":[{"name":"weather","description":"w","input_schema":{"type":"object"}}],
         "tool_choice":{"type":"any","disable_parallel_tool_use":true},
         "messages":[
          {"role":"user","content":[{"type":"text","text":"look"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA"}}]},
          {"role":"assistant","content":[{"type":"text","text":"calling"},{"type":"tool_use","id":"t1","name":"weather","input":{"q":"paris"}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"},{"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"oops"}],"is_error":true},{"type":"text","text":"thanks"}]}
         ]}
        """#)
        #expect(decoded.model == "ant:m" && decoded.stream)
        let request = decoded.request
        #expect(request.messages == [
            .system("be brief\n\nand kind"),
            ChatMessage(role: .user, content: .parts([["type": "text", "text": "look"], ["type": "image_url", "image_url": ["url": "data:image/png;base64,AAA"]]])),
            ChatMessage(role: .assistant, content: .text("calling"), toolCalls: [ToolCall(id: "t1", name: "weather", arguments: #"{"q":"paris"}"#)]),
            ChatMessage(role: .tool, content: .text("sunny"), toolCallID: "t1"),
            ChatMessage(role: .tool, content: .text("error: oops"), toolCallID: "t2"),
            .user("thanks"),
        ])
        #expect(request.tools == [["type": "function", "function": ["name": "weather", "description": "w", "parameters": ["type": "object"]]]])
        #expect(request.toolChoice == "required" && request.parallelToolCalls == false)
        #expect(request.maxTokens == 100 && request.temperature == 0.5 && request.stop == ["END"] && request.user == "u1")
        // Anthropic-kind upstreams get the client's body as sent, but its model and stream flag.
        #expect(request.anthropic?.body["model"] == nil && request.anthropic?.body["stream"] == nil)
        #expect(request.anthropic?.body["top_k"] == 5 && request.anthropic?.version == "2023-06-01")
        #expect(request.anthropic?.body["system"]?[1]?["cache_control"] == ["type": "ephemeral"])
    }

    @Test("what the translation cannot carry is a 400 naming the field", arguments: [
        (#"{"messages":[{"role":"user","content":"hi"}]}"#, "max_tokens"),
        (#"{"max_tokens":0,"messages":[{"role":"user","content":"hi"}]}"#, "max_tokens"),
        (#"{"max_tokens":5000,"messages":[{"role":"user","content":"hi"}]}"#, "max_tokens"),
        (#"{"max_tokens":5,"messages":[{"role":"system","content":"hi"}]}"#, "messages.0.role"),
        (#"{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"document"}]}]}"#, "messages.0.content.0"),
        (#"{"max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"x"}]}]}"#, "messages.0.content.0"),
        (#"{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result"}]}]}"#, "messages.0.content.0"),
        (#"{"max_tokens":5,"temperature":1.5,"messages":[{"role":"user","content":"hi"}]}"#, "temperature"),
        (#"{"max_tokens":5,"thinking":{"type":"enabled","budget_tokens":2000},"messages":[{"role":"user","content":"hi"}]}"#, "thinking"),
        (#"{"max_tokens":5,"tools":[{"type":"bash_20250124","name":"bash"}],"messages":[{"role":"user","content":"hi"}]}"#, "tools.0.type"),
        (#"{"max_tokens":5,"tool_choice":{"type":"tool"},"messages":[{"role":"user","content":"hi"}]}"#, "tool_choice.name"),
        (#"{"max_tokens":5,"stop_sequences":"END","messages":[{"role":"user","content":"hi"}]}"#, "stop_sequences"),
        (#"{"max_tokens":5}"#, "messages"),
        (#"{"max_tokens":5,"messages":[]}"#, "messages"),
    ])
    func refusals(body: String, param: String) {
        #expect(throws: InboundError.self) { try Self.decode(body) }
        do {
            _ = try Self.decode(body)
        } catch {
            #expect(error.status == 400 && error.param == param, "\(error)")
        }
    }

    @Test("count_tokens needs no max_tokens")
    func counting() throws {
        #expect(try Self.decode(#"{"model":"ant:m","messages":[{"role":"user","content":"hi"}]}"#, forCounting: true).request.maxTokens == nil)
    }

    @Test("an answer with text and a tool call is Anthropic's message, stop reasons mapped")
    func completionJSON() throws {
        let format = AnthropicMessagesFormat(id: "msg_1", model: "oai:m", requestID: "r")
        let answer = ChatCompletion(
            text: "let me look", toolCalls: [ToolCall(id: "call_1", name: "weather", arguments: #"{"q":"paris"}"#)],
            finishReason: .toolCalls, usage: ChatUsage(inputTokens: 10, outputTokens: 5)
        )
        #expect(String(decoding: format.completion(answer), as: UTF8.self) == #"{"id":"msg_1","type":"message","role":"assistant","model":"oai:m","content":[{"type":"text","text":"let me look"},{"type":"tool_use","id":"call_1","name":"weather","input":{"q":"paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":5}}"#)
        #expect(AnthropicMessagesFormat.stopReason(.stop, "END") == "stop_sequence")
        #expect(AnthropicMessagesFormat.stopReason(.stop, nil) == "end_turn")
        #expect(AnthropicMessagesFormat.stopReason(.length, nil) == "max_tokens")
        #expect(AnthropicMessagesFormat.stopReason(.contentFilter, nil) == "refusal")
        #expect(AnthropicMessagesFormat.input("not json") == .object(JSONObject()))
    }

    static let events: [ChatStreamEvent] = [
        .text("Hi"), .text(" there"), .toolCallStart(index: 0, id: "toolu_1", name: "weather"),
        .toolCallArguments(index: 0, fragment: #"{"q":"#), .toolCallArguments(index: 0, fragment: #""paris"}"#),
    ]
    static let summary = StreamSummary(finishReason: .toolCalls, usage: ChatUsage(inputTokens: 7, outputTokens: 4))

    static func encoded(_ events: [ChatStreamEvent], _ summary: StreamSummary) -> [UInt8] {
        var encoder = AnthropicStreamEncoder(id: "msg_1", model: "ant:m")
        var answer = StreamedAnswer()
        var bytes: [UInt8] = []
        for event in events {
            answer.add(event)
            bytes += encoder.encode(event)
        }
        return bytes + encoder.end(summary)
    }

    @Test("a stream of text then a tool call is Anthropic's exact bytes")
    func streamBytes() {
        let expected = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"ant:m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}

        event: ping
        data: {"type":"ping"}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\":"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"paris\\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":7,"output_tokens":4}}

        event: message_stop
        data: {"type":"message_stop"}


        """
        #expect(String(decoding: Self.encoded(Self.events, Self.summary), as: UTF8.self) == expected)
    }

    @Test("an empty answer still has one (empty) text block; a failure after the start is an error event")
    func emptyAndFailure() {
        let names = String(decoding: Self.encoded([], StreamSummary()), as: UTF8.self)
            .split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
        #expect(names == ["message_start", "ping", "content_block_start", "content_block_stop", "message_delta", "message_stop"])
        var encoder = AnthropicStreamEncoder(id: "m", model: "x")
        _ = encoder.encode(.text("a"))
        let failure = encoder.failure(InboundError(status: 504, type: "upstream_timeout", message: "slow"))
        #expect(String(decoding: failure, as: UTF8.self) == "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\",\"message\":\"slow\"}}\n\n")
    }

    @Test("agentd's own Anthropic upstream decoder reads the stream back to the same events and summary, cut at every byte")
    func roundTripCutAtEveryByte() throws {
        let bytes = Self.encoded(Self.events, Self.summary)
        for cut in 0...bytes.count {
            var parser = ServerSentEventParser()
            var decoder = AnthropicStreamDecoder(provider: "ant")
            var decoded: [ChatStreamEvent] = []
            var ended = false
            for part in [Array(bytes[..<cut]), Array(bytes[cut...])] {
                var upstream: [ServerSentEvent] = []
                try parser.feed(part) { upstream.append($0) }
                for event in upstream where !ended {
                    ended = try decoder.decode(event) { decoded.append($0) }
                }
            }
            // The decoder joins adjacent text pieces no differently: compare event by event.
            #expect(decoded == Self.events, "cut at \(cut)")
            #expect(ended && decoder.summary == Self.summary, "cut at \(cut)")
        }
    }
}
