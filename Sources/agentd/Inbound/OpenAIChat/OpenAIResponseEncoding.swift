import JSON
import LLM

/// Answers in OpenAI's wire format: `chat.completion` objects and `chat.completion.chunk` stream events.
struct OpenAIResponseEncoding {
    let id: String
    let created: Int
    let model: String

    /// A `chat.completion` body, written straight to bytes: this runs once per non-streaming request.
    func completion(_ completion: ChatCompletion) -> [UInt8] {
        var json = JSONWriter(capacity: 320 + completion.text.utf8.count)
        json.beginObject()
        json.key("id")
        json.string(id)
        json.key("object")
        json.string("chat.completion")
        json.key("created")
        json.integer(created)
        json.key("model")
        json.string(model)
        json.key("choices")
        json.beginArray()
        json.beginObject()
        json.key("index")
        json.integer(0)
        json.key("message")
        json.beginObject()
        json.key("role")
        json.string("assistant")
        json.key("content")
        if completion.text.isEmpty && !completion.toolCalls.isEmpty { json.null() } else { json.string(completion.text) }
        if !completion.toolCalls.isEmpty {
            json.key("tool_calls")
            ToolCall.writeOpenAI(completion.toolCalls, to: &json)
        }
        json.endObject()
        json.key("logprobs")
        json.null()
        json.key("finish_reason")
        json.string(completion.finishReason.rawValue)
        json.endObject()
        json.endArray()
        json.key("usage")
        json.beginObject()
        json.key("prompt_tokens")
        json.integer(completion.usage.inputTokens)
        json.key("completion_tokens")
        json.integer(completion.usage.outputTokens)
        json.key("total_tokens")
        json.integer(completion.usage.totalTokens)
        json.endObject()
        json.endObject()
        return json.bytes
    }

    func usage(_ usage: ChatUsage) -> JSONValue {
        ["prompt_tokens": .integer(usage.inputTokens), "completion_tokens": .integer(usage.outputTokens),
         "total_tokens": .integer(usage.totalTokens)]
    }

    /// One `data:` event of a chunk with this delta.
    func chunk(delta: JSONValue, finishReason: String? = nil) -> [UInt8] {
        JSONValue.sseDataEvent([
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(created), "model": .string(model),
            "choices": [["index": 0, "delta": delta, "logprobs": nil, "finish_reason": finishReason.map(JSONValue.string) ?? .null]],
        ])
    }

    var roleChunk: [UInt8] { chunk(delta: ["role": "assistant", "content": ""]) }

    func chunk(for event: ChatStreamEvent) -> [UInt8] {
        switch event {
        case .text(let text):
            return chunk(delta: ["content": .string(text)])
        case .toolCallStart(let index, let callID, let name):
            return chunk(delta: ["tool_calls": [["index": .integer(index), "id": .string(callID), "type": "function",
                                                 "function": ["name": .string(name), "arguments": ""]]]])
        case .toolCallArguments(let index, let fragment):
            return chunk(delta: ["tool_calls": [["index": .integer(index), "function": ["arguments": .string(fragment)]]]])
        }
    }

    /// The closing events: finish reason, usage when asked for, `[DONE]`.
    func end(_ summary: StreamSummary, includeUsage: Bool) -> [UInt8] {
        var bytes = chunk(delta: .object(JSONObject()), finishReason: summary.finishReason.rawValue)
        if includeUsage {
            bytes += JSONValue.sseDataEvent([
                "id": .string(id), "object": "chat.completion.chunk", "created": .integer(created), "model": .string(model),
                "choices": [], "usage": usage(summary.usage),
            ])
        }
        return bytes + Array("data: [DONE]\n\n".utf8)
    }
}
