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
        OpenAIResponseEncoding.writeUsage(completion.usage, to: &json)
        json.endObject()
        return json.bytes
    }

    /// `{"prompt_tokens":…,"completion_tokens":…,"total_tokens":…}`, as answers and the last stream chunk give it.
    static func writeUsage(_ usage: ChatUsage, to json: inout JSONWriter) {
        json.beginObject()
        json.key("prompt_tokens")
        json.integer(usage.inputTokens)
        json.key("completion_tokens")
        json.integer(usage.outputTokens)
        json.key("total_tokens")
        json.integer(usage.totalTokens)
        json.endObject()
    }

    /// The stream's chunk writer: made by a stream only, so a non-streaming answer never builds its head.
    var chunks: OpenAIChunkEncoding { OpenAIChunkEncoding(self) }
}
