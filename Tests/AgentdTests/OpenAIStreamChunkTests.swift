import JSON
import LLM
import Testing

@testable import agentd

/// The stream chunks are written straight to bytes for speed; they must be exactly what serializing the same
/// members as a `JSONValue` tree writes (the form they had before, and the one every other answer uses).
@Suite("OpenAI stream chunks")
struct OpenAIStreamChunkTests {
    let encoding = OpenAIResponseEncoding(id: "chatcmpl-\"é\\n", created: 1_700_000_000, model: "mock:echo").chunks

    func event(_ value: JSONValue) -> [UInt8] { JSONValue.sseDataEvent(value) }

    func tree(delta: JSONValue, finishReason: String? = nil) -> [UInt8] {
        event([
            "id": .string(encoding.id), "object": "chat.completion.chunk", "created": .integer(encoding.created),
            "model": .string(encoding.model),
            "choices": [["index": 0, "delta": delta, "logprobs": nil, "finish_reason": finishReason.map(JSONValue.string) ?? .null]],
        ])
    }

    @Test("every kind of chunk is the tree's serialization, byte for byte")
    func chunksMatchTheTree() {
        #expect(encoding.roleChunk == tree(delta: ["role": "assistant", "content": ""]))
        for text in ["", "hi", "a \"quote\", a \\ and a\nnewline", "émoji 🙂 \u{1}"] {
            #expect(encoding.chunk(for: .text(text)) == tree(delta: ["content": .string(text)]))
        }
        #expect(encoding.chunk(for: .toolCallStart(index: 2, id: "call_1", name: "get_weather")) == tree(delta: [
            "tool_calls": [["index": 2, "id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": ""]]],
        ]))
        #expect(encoding.chunk(for: .toolCallArguments(index: 0, fragment: "{\"city\":")) == tree(delta: [
            "tool_calls": [["index": 0, "function": ["arguments": "{\"city\":"]]],
        ]))
    }

    @Test("the end is the finish chunk, the usage chunk when asked for, then [DONE]")
    func endMatchesTheTree() {
        let summary = StreamSummary(finishReason: .toolCalls, usage: ChatUsage(inputTokens: 8, outputTokens: 9))
        let finish = tree(delta: .object(JSONObject()), finishReason: "tool_calls")
        let done = Array("data: [DONE]\n\n".utf8)
        #expect(encoding.end(summary, includeUsage: false) == finish + done)
        let usage = event([
            "id": .string(encoding.id), "object": "chat.completion.chunk", "created": .integer(encoding.created),
            "model": .string(encoding.model), "choices": [],
            "usage": ["prompt_tokens": 8, "completion_tokens": 9, "total_tokens": 17],
        ])
        #expect(encoding.end(summary, includeUsage: true) == finish + usage + done)
    }
}
