import JSON
import LLM

/// `chat.completion.chunk` stream events, written straight to bytes (no `JSONValue` tree): this runs for every
/// event of every stream.
struct OpenAIChunkEncoding {
    let id: String
    let created: Int
    let model: String
    /// A chunk's bytes up to its delta, the same for every chunk of a stream: `data: {"id":…,"object":…,
    /// "created":…,"model":…,"choices":[{"index":0,"delta":`. Written once per stream; each chunk goes on from it.
    private let chunkHead: [UInt8]

    init(_ encoding: OpenAIResponseEncoding) {
        id = encoding.id
        created = encoding.created
        model = encoding.model
        var json = JSONWriter(capacity: 128 + id.utf8.count + model.utf8.count)
        json.raw("data: ")
        Self.writeChunkIdentity(id: id, created: created, model: model, to: &json)
        json.key("choices")
        json.beginArray()
        json.beginObject()
        json.key("index")
        json.integer(0)
        json.key("delta")
        chunkHead = json.bytes
    }

    /// The members every chunk opens with.
    private static func writeChunkIdentity(id: String, created: Int, model: String, to json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.string(id)
        json.key("object")
        json.string("chat.completion.chunk")
        json.key("created")
        json.integer(created)
        json.key("model")
        json.string(model)
    }

    /// One `data:` event of a chunk: the shared head, the delta `writeDelta` writes, then the choice's end.
    private func chunk(finishReason: String? = nil, deltaCapacity: Int = 32, _ writeDelta: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter(continuing: chunkHead, capacity: chunkHead.count + deltaCapacity + 64)
        writeDelta(&json)
        json.key("logprobs")
        json.null()
        json.key("finish_reason")
        if let finishReason { json.string(finishReason) } else { json.null() }
        json.endObject()
        json.endArray()
        json.endObject()
        json.raw("\n\n")
        return json.bytes
    }

    var roleChunk: [UInt8] {
        chunk { json in
            json.beginObject()
            json.key("role")
            json.string("assistant")
            json.key("content")
            json.string("")
            json.endObject()
        }
    }

    func chunk(for event: ChatStreamEvent) -> [UInt8] {
        switch event {
        case .text(let text):
            return chunk(deltaCapacity: 16 + text.utf8.count) { json in
                json.beginObject()
                json.key("content")
                json.string(text)
                json.endObject()
            }
        case .toolCallStart(let index, let callID, let name):
            return chunk(deltaCapacity: 96 + callID.utf8.count + name.utf8.count) { json in
                Self.openToolCall(index: index, to: &json)
                json.key("id")
                json.string(callID)
                json.key("type")
                json.string("function")
                json.key("function")
                json.beginObject()
                json.key("name")
                json.string(name)
                json.key("arguments")
                json.string("")
                Self.closeToolCall(to: &json)
            }
        case .toolCallArguments(let index, let fragment):
            return chunk(deltaCapacity: 64 + fragment.utf8.count) { json in
                Self.openToolCall(index: index, to: &json)
                json.key("function")
                json.beginObject()
                json.key("arguments")
                json.string(fragment)
                Self.closeToolCall(to: &json)
            }
        }
    }

    /// `{"tool_calls":[{"index":N` …
    private static func openToolCall(index: Int, to json: inout JSONWriter) {
        json.beginObject()
        json.key("tool_calls")
        json.beginArray()
        json.beginObject()
        json.key("index")
        json.integer(index)
    }

    /// … `}}]}`: closes the function object, the call, the list and the delta.
    private static func closeToolCall(to json: inout JSONWriter) {
        json.endObject()
        json.endObject()
        json.endArray()
        json.endObject()
    }

    /// The closing events: finish reason, usage when asked for, `[DONE]`.
    func end(_ summary: StreamSummary, includeUsage: Bool) -> [UInt8] {
        var bytes = chunk(finishReason: summary.finishReason.rawValue) { json in
            json.beginObject()
            json.endObject()
        }
        if includeUsage {
            var json = JSONWriter(capacity: 256 + id.utf8.count + model.utf8.count)
            json.raw("data: ")
            Self.writeChunkIdentity(id: id, created: created, model: model, to: &json)
            json.key("choices")
            json.literal("[]")
            json.key("usage")
            OpenAIResponseEncoding.writeUsage(summary.usage, to: &json)
            json.endObject()
            json.raw("\n\n")
            bytes += json.bytes
        }
        return bytes + Array("data: [DONE]\n\n".utf8)
    }
}
