import JSON
import LLM

extension ChatRequest {
    /// Whether an answer to this request may come from the response cache: agentd caches only
    /// deterministic asks (temperature 0 or unset; docs/api.md, Response cache); streams are never cached (the
    /// caller checks).
    public var isCacheable: Bool { temperature == nil || temperature == 0 }

    /// The response cache key: the model that will answer and every field that shapes the answer, as compact
    /// JSON. Request id and trace context are left out (they differ per request, not per answer).
    public func cacheKey(qualifiedModel: String) -> String {
        var json = JSONWriter(capacity: 256 + messages.count * 128)
        json.beginObject()
        json.key("model")
        json.string(qualifiedModel)
        json.key("messages")
        json.beginArray()
        for message in messages {
            json.beginArray()
            json.string(message.role.rawValue)
            switch message.content {
            case .text(let text): json.string(text)
            case .parts(let parts): json.value(parts)
            }
            ToolCall.writeOpenAI(message.toolCalls, to: &json)
            if let id = message.toolCallID { json.string(id) } else { json.null() }
            if let name = message.name { json.string(name) } else { json.null() }
            json.endArray()
        }
        json.endArray()
        json.key("params")
        json.beginArray()
        if let maxTokens { json.integer(maxTokens) } else { json.null() }
        if let temperature { json.double(temperature) } else { json.null() }
        if let topP { json.double(topP) } else { json.null() }
        json.beginArray()
        for stop in stop { json.string(stop) }
        json.endArray()
        if let user { json.string(user) } else { json.null() }
        json.value(tools ?? .null)
        json.value(toolChoice ?? .null)
        if let parallelToolCalls { json.bool(parallelToolCalls) } else { json.null() }
        json.endArray()
        // What an Anthropic client sent beyond these fields (top_k, cache_control…) shapes the answer too.
        if let anthropic {
            json.key("anthropic")
            json.value(.object(anthropic.body))
            json.member("anthropic_beta", anthropic.beta)
        }
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
