import JSON

/// Anthropic's Messages wire format. Requests go to `<base>/v1/messages` with `anthropic-version`, as the
/// Anthropic SDKs send them. System messages are hoisted to `system`, `max_tokens` is always sent, and
/// OpenAI-style tools, tool calls and tool replies become `tools`, `tool_use` and `tool_result` blocks.
/// A class, as `OpenAIWire`: every call and stream holds the wire, and a reference is one retain where the
/// configuration's copy would be a dozen.
final class AnthropicWire: WireFormat {
    static let apiVersion = "2023-06-01"
    /// Anthropic requires `max_tokens`; this is sent when the request set none.
    static let defaultMaxTokens = 4096

    let configuration: ProviderConfiguration

    init(configuration: ProviderConfiguration) { self.configuration = configuration }

    func makeRequest(_ request: ChatRequest, stream: Bool) throws(ProviderError) -> TransferRequest {
        if let format = request.responseFormat?["type"]?.stringValue, format != "text" {
            throw ProviderError(
                provider: configuration.name, kind: .invalidRequest,
                message: "structured output (\(format)) needs an OpenAI-kind provider; \(configuration.name) speaks Anthropic's API"
            )
        }
        return transfer(path: "/v1/messages", body: messageBody(request, stream: stream), request: request, stream: stream)
    }

    /// The body of `POST /v1/messages/count_tokens`: the message request's fields that endpoint takes.
    func makeCountRequest(_ request: ChatRequest) -> TransferRequest {
        var body = messageBody(request, stream: false)
        body.members.removeAll { !AnthropicWire.countedFields.contains($0.key) }
        return transfer(path: "/v1/messages/count_tokens", body: body, request: request, stream: false)
    }

    static let countedFields: Set<String> = ["model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers"]

    func messageBody(_ request: ChatRequest, stream: Bool) -> JSONObject {
        var body = JSONObject()
        body["model"] = .string(request.model)
        body["max_tokens"] = .integer(request.maxTokens ?? AnthropicWire.defaultMaxTokens)
        let system = request.messages.filter { $0.role == .system }.map(\.content.text).joined(separator: "\n\n")
        if !system.isEmpty { body["system"] = .string(system) }
        body["messages"] = .array(AnthropicWire.encodeMessages(request.messages.filter { $0.role != .system }))
        // Anthropic's temperature is 0...1 where OpenAI's is 0...2.
        if let temperature = request.temperature { body["temperature"] = .double(min(temperature, 1)) }
        if let topP = request.topP { body["top_p"] = .double(topP) }
        if !request.stop.isEmpty { body["stop_sequences"] = .array(request.stop.map(JSONValue.string)) }
        if let user = request.user { body["metadata"] = ["user_id": .string(user)] }
        if let tools = request.tools?.arrayValue, !tools.isEmpty {
            body["tools"] = .array(tools.compactMap(AnthropicWire.encodeTool))
            if let choice = AnthropicWire.encodeToolChoice(request.toolChoice, parallel: request.parallelToolCalls) {
                body["tool_choice"] = choice
            }
        }
        if stream { body["stream"] = true }
        if let passthrough = request.anthropic {
            for member in passthrough.body.members { body[member.key] = member.value }
        }
        return body
    }

    private func transfer(path: String, body: JSONObject, request: ChatRequest, stream: Bool) -> TransferRequest {
        var headers = ProviderJSON.headers(for: request, stream: stream)
        headers.append(("anthropic-version", request.anthropic?.version ?? AnthropicWire.apiVersion))
        if let beta = request.anthropic?.beta { headers.append(("anthropic-beta", beta)) }
        if let key = configuration.apiKey, !key.isEmpty { headers.append(("x-api-key", key)) }
        return TransferRequest(
            url: configuration.baseURL + path, headers: headers, body: JSONValue.object(body).serialized(),
            connectTimeoutMs: configuration.connectTimeoutMs, totalTimeoutMs: configuration.totalTimeoutMs,
            idleTimeoutMs: stream ? configuration.streamIdleTimeoutMs : 0, caFile: configuration.caFile
        )
    }

    /// Messages to Anthropic's turns. Consecutive tool replies become one user turn of `tool_result` blocks,
    /// since all results of one assistant turn must come back together.
    static func encodeMessages(_ messages: [ChatMessage]) -> [JSONValue] {
        var turns: [JSONValue] = []
        var pendingResults: [JSONValue] = []
        func flushResults() {
            guard !pendingResults.isEmpty else { return }
            turns.append(["role": "user", "content": .array(pendingResults)])
            pendingResults = []
        }
        for message in messages {
            switch message.role {
            case .tool:
                pendingResults.append([
                    "type": "tool_result", "tool_use_id": .string(message.toolCallID ?? ""),
                    "content": .string(message.content.text),
                ])
            case .assistant:
                flushResults()
                var blocks: [JSONValue] = []
                let text = message.content.text
                if !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
                for call in message.toolCalls {
                    let input = (try? JSONValue.parse(call.arguments)).flatMap { $0.objectValue != nil ? $0 : nil }
                    blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name),
                                   "input": input ?? .object(JSONObject())])
                }
                turns.append(["role": "assistant", "content": message.toolCalls.isEmpty ? .string(text) : .array(blocks)])
            case .user, .system:
                flushResults()
                turns.append(["role": "user", "content": encodeUserContent(message.content)])
            }
        }
        flushResults()
        return turns
    }

    /// Text stays a string; OpenAI parts become text and image blocks.
    static func encodeUserContent(_ content: MessageContent) -> JSONValue {
        guard case .parts(let parts) = content else { return .string(content.text) }
        let blocks: [JSONValue] = (parts.arrayValue ?? []).compactMap { part in
            switch part["type"]?.stringValue {
            case "text":
                return ["type": "text", "text": part["text"] ?? ""]
            case "image_url":
                guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else { return nil }
                if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
                    // data:<media type>;base64,<data>
                    let mediaType = url[url.index(url.startIndex, offsetBy: 5)..<comma].split(separator: ";").first ?? "image/png"
                    return ["type": "image", "source": ["type": "base64", "media_type": .string(String(mediaType)),
                                                        "data": .string(String(url[url.index(after: comma)...]))]]
                }
                return ["type": "image", "source": ["type": "url", "url": .string(url)]]
            default:
                return nil
            }
        }
        return .array(blocks)
    }

    /// `{"type":"function","function":{name, description, parameters}}` → `{name, description, input_schema}`.
    static func encodeTool(_ tool: JSONValue) -> JSONValue? {
        guard let function = tool["function"], let name = function["name"]?.stringValue else { return nil }
        var object = JSONObject()
        object["name"] = .string(name)
        if let description = function["description"] { object["description"] = description }
        object["input_schema"] = function["parameters"] ?? ["type": "object", "properties": .object(JSONObject())]
        return .object(object)
    }

    /// OpenAI's `tool_choice` and `parallel_tool_calls` in Anthropic's terms.
    static func encodeToolChoice(_ choice: JSONValue?, parallel: Bool?) -> JSONValue? {
        var object = JSONObject()
        switch choice {
        case .string("none")?: object["type"] = "none"
        case .string("required")?: object["type"] = "any"
        case .string("auto")?, nil: object["type"] = "auto"
        case let value?:
            guard let name = value["function"]?["name"]?.stringValue else { return nil }
            object["type"] = "tool"
            object["name"] = .string(name)
        }
        if choice == nil && parallel == nil { return nil }
        if parallel == false && object["type"]?.stringValue != "none" { object["disable_parallel_tool_use"] = true }
        return .object(object)
    }

    func decodeCompletion(_ body: [UInt8]) throws(ProviderError) -> ChatCompletion {
        let json = try ProviderJSON.parse(body, provider: configuration.name)
        guard let blocks = json["content"]?.arrayValue else {
            throw ProviderError(provider: configuration.name, kind: .invalidResponse, message: "no content in the answer")
        }
        var text = ""
        var calls: [ToolCall] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text": text += block["text"]?.stringValue ?? ""
            case "tool_use":
                calls.append(ToolCall(
                    id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "",
                    arguments: (block["input"] ?? .object(JSONObject())).text
                ))
            default: break
            }
        }
        return ChatCompletion(
            text: text, toolCalls: calls, finishReason: AnthropicWire.finishReason(json["stop_reason"]?.stringValue),
            usage: AnthropicWire.usage(json["usage"]), stopSequence: json["stop_sequence"]?.stringValue
        )
    }

    func decodeError(status: Int, head: TransferHead, body: [UInt8]) -> ProviderError {
        let error = (try? JSONValue.parse(body))?["error"]
        return ProviderError(
            provider: configuration.name, kind: .status(status),
            message: error?["message"]?.stringValue ?? ProviderJSON.excerpt(body), upstreamCode: error?["type"]?.stringValue,
            retryAfterMs: ProviderError.retryAfterMs(from: head)
        )
    }

    func makeStreamDecoder() -> AnthropicStreamDecoder { AnthropicStreamDecoder(provider: configuration.name) }

    static func finishReason(_ reason: String?) -> FinishReason {
        switch reason {
        case "max_tokens": return .length
        case "tool_use": return .toolCalls
        case "refusal": return .contentFilter
        default: return .stop
        }
    }

    /// Cached prompt tokens count as input too: they are billed, at other rates.
    static func usage(_ json: JSONValue?) -> ChatUsage {
        let input = (json?["input_tokens"]?.intValue ?? 0) + (json?["cache_creation_input_tokens"]?.intValue ?? 0)
            + (json?["cache_read_input_tokens"]?.intValue ?? 0)
        return ChatUsage(inputTokens: input, outputTokens: json?["output_tokens"]?.intValue ?? 0)
    }
}
