import JSON

/// OpenAI's Chat Completions wire format, also spoken by Ollama, vLLM, Groq and the like.
/// Requests go to `<base>/chat/completions`, as with the OpenAI SDKs.
struct OpenAIWire: WireFormat {
    let configuration: ProviderConfiguration

    func makeRequest(_ request: ChatRequest, stream: Bool) throws(ProviderError) -> TransferRequest {
        var body = JSONObject()
        body["model"] = .string(request.model)
        body["messages"] = .array(request.messages.map(OpenAIWire.encode))
        if let maxTokens = request.maxTokens {
            body[configuration.sendsMaxCompletionTokens ? "max_completion_tokens" : "max_tokens"] = .integer(maxTokens)
        }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if let topP = request.topP { body["top_p"] = .double(topP) }
        if !request.stop.isEmpty { body["stop"] = .array(request.stop.map(JSONValue.string)) }
        if let user = request.user { body["user"] = .string(user) }
        if let tools = request.tools { body["tools"] = tools }
        if let choice = request.toolChoice { body["tool_choice"] = choice }
        if let parallel = request.parallelToolCalls { body["parallel_tool_calls"] = .bool(parallel) }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        var headers = ProviderJSON.headers(for: request, stream: stream)
        if let key = configuration.apiKey, !key.isEmpty { headers.append(("Authorization", "Bearer \(key)")) }
        return TransferRequest(
            url: configuration.baseURL + "/chat/completions", headers: headers, body: JSONValue.object(body).serialized(),
            connectTimeoutMs: configuration.connectTimeoutMs, totalTimeoutMs: configuration.totalTimeoutMs,
            idleTimeoutMs: stream ? configuration.streamIdleTimeoutMs : 0, caFile: configuration.caFile
        )
    }

    static func encode(_ message: ChatMessage) -> JSONValue {
        var object = JSONObject()
        object["role"] = .string(message.role.rawValue)
        switch message.content {
        case .text(let text):
            // An assistant turn that only called tools has null content.
            object["content"] = text.isEmpty && !message.toolCalls.isEmpty ? .null : .string(text)
        case .parts(let parts):
            object["content"] = parts
        }
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(message.toolCalls.map { call in
                ["id": .string(call.id), "type": "function",
                 "function": ["name": .string(call.name), "arguments": .string(call.arguments)]]
            })
        }
        if let id = message.toolCallID { object["tool_call_id"] = .string(id) }
        if let name = message.name { object["name"] = .string(name) }
        return .object(object)
    }

    func decodeCompletion(_ body: [UInt8]) throws(ProviderError) -> ChatCompletion {
        let json = try ProviderJSON.parse(body, provider: configuration.name)
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

    mutating func decode(_ event: UpstreamEvent, emit: (ChatStreamEvent) -> Void) throws(ProviderError) -> Bool {
        if event.data == "[DONE]" { return true }
        let chunk = try ProviderJSON.parse(event.data, provider: provider)
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
