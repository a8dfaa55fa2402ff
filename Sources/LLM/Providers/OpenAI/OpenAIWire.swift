import HTTP
import JSON

/// OpenAI's Chat Completions wire format, also spoken by Ollama, vLLM, Groq and the like.
/// Requests go to `<base>/chat/completions`, as with the OpenAI SDKs. A class: every call and stream holds the
/// wire, and a reference is one retain where the configuration's copy would be a dozen (its strings, its lists).
final class OpenAIWire: WireFormat {
    let configuration: ProviderConfiguration
    /// `<base>/chat/completions`, joined once.
    let url: String

    init(configuration: ProviderConfiguration) {
        self.configuration = configuration
        url = configuration.baseURL + "/chat/completions"
    }

    func makeRequest(_ request: ChatRequest, stream: Bool) throws(ProviderError) -> TransferRequest {
        var headers = ProviderJSON.headers(for: request, stream: stream)
        if let key = configuration.apiKey, !key.isEmpty { headers.append(("Authorization", "Bearer \(key)")) }
        return TransferRequest(
            url: url, headers: headers, body: body(request, stream: stream),
            connectTimeoutMs: configuration.connectTimeoutMs, totalTimeoutMs: configuration.totalTimeoutMs,
            idleTimeoutMs: stream ? configuration.streamIdleTimeoutMs : 0, caFile: configuration.caFile
        )
    }

    /// The request body, written straight to bytes (no JSONValue tree on this per-request path).
    func body(_ request: ChatRequest, stream: Bool) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + request.messages.count * 128)
        json.beginObject()
        json.key("model")
        json.string(request.model)
        json.key("messages")
        json.beginArray()
        for message in request.messages { OpenAIWire.write(message, to: &json) }
        json.endArray()
        if let maxTokens = request.maxTokens {
            if configuration.sendsMaxCompletionTokens { json.key("max_completion_tokens") } else { json.key("max_tokens") }
            json.integer(maxTokens)
        }
        json.member("temperature", request.temperature)
        json.member("top_p", request.topP)
        if !request.stop.isEmpty {
            json.key("stop")
            json.beginArray()
            for stop in request.stop { json.string(stop) }
            json.endArray()
        }
        json.member("user", request.user)
        json.member("tools", request.tools)
        json.member("tool_choice", request.toolChoice)
        json.member("parallel_tool_calls", request.parallelToolCalls)
        json.member("response_format", request.responseFormat)
        if stream {
            json.key("stream")
            json.bool(true)
            json.key("stream_options")
            json.beginObject()
            json.key("include_usage")
            json.bool(true)
            json.endObject()
        }
        json.endObject()
        return json.bytes
    }

    static func write(_ message: ChatMessage, to json: inout JSONWriter) {
        json.beginObject()
        json.key("role")
        json.string(message.role.rawValue)
        json.key("content")
        switch message.content {
        case .text(let text):
            // An assistant turn that only called tools has null content.
            if text.isEmpty && !message.toolCalls.isEmpty { json.null() } else { json.string(text) }
        case .parts(let parts):
            json.value(parts)
        }
        if !message.toolCalls.isEmpty {
            json.key("tool_calls")
            ToolCall.writeOpenAI(message.toolCalls, to: &json)
        }
        json.member("tool_call_id", message.toolCallID)
        json.member("name", message.name)
        json.endObject()
    }

    /// What `decodeCompletion` reads of an answer; the rest (id, model, logprobs…) is checked, not built.
    static let completionSelection: JSONSelection = .members([
        ("choices", .elements(.members([
            ("message", .members([("content", .all), ("tool_calls", .all)])), ("finish_reason", .all),
        ]))),
        ("usage", .all),
    ])

    func decodeCompletion(_ body: [UInt8]) throws(ProviderError) -> ChatCompletion {
        let json = try ProviderJSON.parse(body, selecting: OpenAIWire.completionSelection, provider: configuration.name)
        guard let choice = json["choices"]?[0], let message = choice["message"] else {
            throw ProviderError(provider: configuration.name, kind: .invalidResponse, message: "no choices in the answer")
        }
        let toolCalls = (message["tool_calls"]?.arrayValue ?? []).compactMap { call -> ToolCall? in
            guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else { return nil }
            return ToolCall(id: id, name: name, arguments: call["function"]?["arguments"]?.stringValue ?? "{}")
        }
        return ChatCompletion(
            text: message["content"]?.stringValue ?? "", toolCalls: toolCalls,
            finishReason: OpenAIWire.finishReason(choice["finish_reason"]?.stringValue),
            usage: OpenAIWire.usage(json["usage"])
        )
    }

    /// `POST <base>/embeddings`, OpenAI's body.
    func makeEmbeddingRequest(_ request: EmbeddingRequest) -> TransferRequest {
        var body = JSONObject()
        body["model"] = .string(request.model)
        body["input"] = request.input
        if let dimensions = request.dimensions { body["dimensions"] = .integer(dimensions) }
        if let format = request.encodingFormat { body["encoding_format"] = .string(format) }
        if let user = request.user { body["user"] = .string(user) }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let id = request.requestID { headers.append(("X-Request-ID", id)) }
        if let trace = request.traceparent { headers.append(("traceparent", trace)) }
        if let key = configuration.apiKey, !key.isEmpty { headers.append(("Authorization", "Bearer \(key)")) }
        return TransferRequest(
            url: configuration.baseURL + "/embeddings", headers: headers, body: JSONValue.object(body).serialized(),
            connectTimeoutMs: configuration.connectTimeoutMs, totalTimeoutMs: configuration.totalTimeoutMs,
            idleTimeoutMs: 0, caFile: configuration.caFile
        )
    }

    func decodeEmbeddings(_ body: [UInt8]) throws(ProviderError) -> EmbeddingResponse {
        let json = try ProviderJSON.parse(body, provider: configuration.name)
        guard let data = json["data"], data.arrayValue != nil else {
            throw ProviderError(provider: configuration.name, kind: .invalidResponse, message: "no data in the embeddings answer")
        }
        let usage = json["usage"]
        return EmbeddingResponse(data: data, usage: ChatUsage(inputTokens: usage?["prompt_tokens"]?.intValue ?? usage?["total_tokens"]?.intValue ?? 0))
    }

    func decodeError(status: Int, head: TransferHead, body: [UInt8]) -> ProviderError {
        let error = (try? JSONValue.parse(body))?["error"]
        let code = error?["code"]?.stringValue ?? error?["type"]?.stringValue
        let message = error?["message"]?.stringValue ?? error?.stringValue ?? ProviderJSON.excerpt(body)
        return ProviderError(
            provider: configuration.name, kind: .status(status), message: message, upstreamCode: code,
            retryAfterMs: ProviderError.retryAfterMs(from: head)
        )
    }

    func makeStreamDecoder() -> OpenAIStreamDecoder { OpenAIStreamDecoder(provider: configuration.name) }

    static func finishReason(_ text: String?) -> FinishReason {
        FinishReason(rawValue: text ?? "stop") ?? (text == "function_call" ? .toolCalls : .stop)
    }

    static func usage(_ json: JSONValue?) -> ChatUsage {
        ChatUsage(inputTokens: json?["prompt_tokens"]?.intValue ?? 0, outputTokens: json?["completion_tokens"]?.intValue ?? 0)
    }
}

/// `chat.completion.chunk` events to ours, until `data: [DONE]`.
struct OpenAIStreamDecoder: StreamDecoder {
    let provider: String
    private(set) var summary = StreamSummary()
    private var startedToolCalls: Set<Int> = []
    private var sawFinish = false

    init(provider: String) { self.provider = provider }

    var isComplete: Bool { sawFinish }

    /// What `decode` reads of a chunk; the rest (id, model, created, role, logprobs…) is checked, not built.
    static let chunkSelection: JSONSelection = .members([
        ("error", .all),
        ("usage", .all),
        ("choices", .elements(.members([
            ("delta", .members([("content", .all), ("tool_calls", .all)])), ("finish_reason", .all),
        ]))),
    ])

    mutating func decode(_ event: ServerSentEvent, emit: (ChatStreamEvent) -> Void) throws(ProviderError) -> Bool {
        if event.data == "[DONE]" { return true }
        let chunk = try ProviderJSON.parse(event.data, selecting: OpenAIStreamDecoder.chunkSelection, provider: provider)
        if let error = chunk["error"] {
            throw ProviderError(
                provider: provider, kind: .invalidResponse, message: error["message"]?.stringValue ?? "error in stream",
                upstreamCode: error["code"]?.stringValue ?? error["type"]?.stringValue
            )
        }
        if let usage = chunk["usage"], !usage.isNull { summary.usage = OpenAIWire.usage(usage) }
        guard let choice = chunk["choices"]?[0] else { return false }
        if let delta = choice["delta"] {
            if let text = delta["content"]?.stringValue, !text.isEmpty { emit(.text(text)) }
            for call in delta["tool_calls"]?.arrayValue ?? [] {
                let index = call["index"]?.intValue ?? 0
                if !startedToolCalls.contains(index), let name = call["function"]?["name"]?.stringValue {
                    startedToolCalls.insert(index)
                    emit(.toolCallStart(index: index, id: call["id"]?.stringValue ?? "call_\(index)", name: name))
                }
                if let fragment = call["function"]?["arguments"]?.stringValue, !fragment.isEmpty {
                    emit(.toolCallArguments(index: index, fragment: fragment))
                }
            }
        }
        if let reason = choice["finish_reason"]?.stringValue {
            summary.finishReason = OpenAIWire.finishReason(reason)
            sawFinish = true
        }
        return false
    }
}
