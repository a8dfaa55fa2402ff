@testable import LLM
import HTTP
import Testing

/// Each wire format's stream events, decoded into ours.
@Suite struct StreamDecoderTests {
    func run<D: StreamDecoder>(_ decoder: inout D, _ sse: String) throws -> (events: [ChatStreamEvent], ended: Bool) {
        var parser = ServerSentEventParser()
        var upstream: [ServerSentEvent] = []
        try parser.feed(Array(sse.utf8)) { upstream.append($0) }
        var events: [ChatStreamEvent] = []
        var ended = false
        for event in upstream where !ended {
            ended = try decoder.decode(event) { events.append($0) }
        }
        return (events, ended)
    }

    @Test func openAITextStreamWithUsage() throws {
        var decoder = OpenAIStreamDecoder(provider: "openai")
        let (events, ended) = try run(&decoder, """
        data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

        data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}

        data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}

        data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}

        data: [DONE]


        """)
        #expect(events == [.text("Hel"), .text("lo")])
        #expect(ended)
        #expect(decoder.summary == StreamSummary(finishReason: .stop, usage: ChatUsage(inputTokens: 5, outputTokens: 2)))
    }

    @Test func openAIToolCallDeltas() throws {
        var decoder = OpenAIStreamDecoder(provider: "openai")
        let (events, _) = try run(&decoder, """
        data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"weather","arguments":""}}]}}]}

        data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]}}]}

        data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Oslo\\"}"}}]}}]}

        data: {"choices":[{"delta":{},"finish_reason":"tool_calls"}]}

        data: [DONE]


        """)
        #expect(events == [
            .toolCallStart(index: 0, id: "call_1", name: "weather"),
            .toolCallArguments(index: 0, fragment: "{\"city\":"),
            .toolCallArguments(index: 0, fragment: "\"Oslo\"}"),
        ])
        #expect(decoder.summary.finishReason == .toolCalls)
    }

    @Test func anthropicTextStream() throws {
        var decoder = AnthropicStreamDecoder(provider: "anthropic")
        let (events, ended) = try run(&decoder, """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":11,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type":"ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}

        event: message_stop
        data: {"type":"message_stop"}


        """)
        #expect(events == [.text("Hi")])
        #expect(ended)
        #expect(decoder.summary == StreamSummary(finishReason: .stop, usage: ChatUsage(inputTokens: 11, outputTokens: 3)))
    }

    @Test func anthropicToolUseStreamBecomesToolCallDeltas() throws {
        var decoder = AnthropicStreamDecoder(provider: "anthropic")
        let (events, _) = try run(&decoder, """
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}}

        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}}

        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": "}}

        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"Oslo\\"}"}}

        data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":20}}

        data: {"type":"message_stop"}


        """)
        #expect(events == [
            .text("Checking."),
            .toolCallStart(index: 0, id: "toolu_1", name: "weather"),
            .toolCallArguments(index: 0, fragment: "{\"city\": "),
            .toolCallArguments(index: 0, fragment: "\"Oslo\"}"),
        ])
        #expect(decoder.summary.finishReason == .toolCalls)
    }

    @Test func anthropicOverloadedErrorEventIsRetryable() throws {
        var decoder = AnthropicStreamDecoder(provider: "anthropic")
        do {
            _ = try run(&decoder, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
            Issue.record("no error thrown")
        } catch let error as ProviderError {
            #expect(error.kind == .status(529))
            #expect(error.isRetryable)
        }
    }
}
