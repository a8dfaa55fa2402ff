import JSON
import LLM

/// Answers in OpenAI's wire format: `chat.completion` objects and `chat.completion.chunk` stream events.
struct OpenAIResponseEncoding {
    let id: String
    let created: Int
    let model: String

    func completion(_ completion: ChatCompletion) -> JSONValue {
        var message: JSONObject = ["role": "assistant"]
        message["content"] = completion.text.isEmpty && !completion.toolCalls.isEmpty ? .null : .string(completion.text)
        if !completion.toolCalls.isEmpty {
            message["tool_calls"] = .array(completion.toolCalls.map { call in
                ["id": .string(call.id), "type": "function",
                 "function": ["name": .string(call.name), "arguments": .string(call.arguments)]]
            })
        }
        return [
            "id": .string(id), "object": "chat.completion", "created": .integer(created), "model": .string(model),
            "choices": [["index": 0, "message": .object(message), "logprobs": nil,
                         "finish_reason": .string(completion.finishReason.rawValue)]],
            "usage": usage(completion.usage),
        ]
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
