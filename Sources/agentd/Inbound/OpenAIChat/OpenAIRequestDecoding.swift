import JSON
import LLM

/// A `/v1/chat/completions` body, read and checked: OpenAI's fields, each failure naming its `param`.
struct OpenAIChatBody {
    var model: String?
    var request: ChatRequest
    var stream: Bool
    var includeUsage: Bool

    init(_ body: JSONBody, maxTokensLimit: Int, requestID: String, traceparent: String?) throws(APIFailure) {
        guard let rawMessages = body.object["messages"]?.arrayValue else {
            throw .invalid("messages is required: an array of messages", param: "messages")
        }
        guard !rawMessages.isEmpty else { throw .invalid("messages must not be empty", param: "messages") }
        var messages: [ChatMessage] = []
        for (index, raw) in rawMessages.enumerated() {
            messages.append(try OpenAIChatBody.message(raw, param: "messages[\(index)]"))
        }
        model = try body.string("model", maxLength: 256)
        stream = try body.bool("stream") ?? false
        guard OpenAIChatBody.absentOr(body.object["stream_options"], { $0.objectValue != nil }) else {
            throw .invalid("stream_options must be an object", param: "stream_options")
        }
        let usageFlag = body.object["stream_options"]?["include_usage"]
        guard OpenAIChatBody.absentOr(usageFlag, { $0.boolValue != nil }) else {
            throw .invalid("stream_options.include_usage must be true or false", param: "stream_options.include_usage")
        }
        includeUsage = usageFlag?.boolValue ?? false
        if let n = try body.int("n", in: 1...128), n != 1 { throw .invalid("n must be 1: one choice per request", param: "n") }
        let maxCompletionTokens = try body.int("max_completion_tokens", in: 1...maxTokensLimit)
        let legacyMaxTokens = try body.int("max_tokens", in: 1...maxTokensLimit)
        let maxTokens = maxCompletionTokens ?? legacyMaxTokens
        var stop: [String] = []
        if let value = body.object["stop"], !value.isNull {
            if let single = value.stringValue {
                stop = [single]
            } else if let list = value.arrayValue, list.count <= 4, list.allSatisfy({ $0.stringValue != nil }) {
                stop = list.compactMap(\.stringValue)
            } else {
                throw .invalid("stop must be a string or an array of up to 4 strings", param: "stop")
            }
        }
        var tools: JSONValue?
        if let value = body.object["tools"], !value.isNull {
            guard let list = value.arrayValue, list.allSatisfy({ tool in
                let function = tool["function"]
                return function?["name"]?.stringValue != nil && OpenAIChatBody.absentOr(function?["strict"]) { $0.boolValue != nil }
                    && OpenAIChatBody.absentOr(tool["type"]) { $0.stringValue == "function" }
                    && OpenAIChatBody.absentOr(function?["parameters"]) { $0.objectValue != nil }
                    && OpenAIChatBody.absentOr(function?["description"]) { $0.stringValue != nil }
            }) else {
                throw .invalid("tools must be an array of {\"type\":\"function\",\"function\":{\"name\":...}} (description a string, parameters an object, strict true or false)", param: "tools")
            }
            tools = list.isEmpty ? nil : value
        }
        let responseFormat = try OpenAIChatBody.responseFormat(body.object["response_format"])
        request = ChatRequest(
            model: "", messages: messages, maxTokens: maxTokens, temperature: try body.double("temperature", in: 0...2),
            topP: try body.double("top_p", in: 0...1), stop: stop, user: try body.string("user", maxLength: 256),
            tools: tools, toolChoice: try OpenAIChatBody.toolChoice(body.object["tool_choice"]),
            parallelToolCalls: try body.bool("parallel_tool_calls"), requestID: requestID, traceparent: traceparent
        )
        request.responseFormat = responseFormat
    }

    /// Whether a field is absent, null, or passes `check`.
    static func absentOr(_ value: JSONValue?, _ check: (JSONValue) -> Bool) -> Bool {
        guard let value, !value.isNull else { return true }
        return check(value)
    }

    /// `tool_choice`: `none`, `auto`, `required`, or `{"type":"function","function":{"name": string}}`.
    static func toolChoice(_ value: JSONValue?) throws(APIFailure) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        if let mode = value.stringValue {
            guard ["none", "auto", "required"].contains(mode) else {
                throw .invalid("tool_choice must be none, auto, required or a function", param: "tool_choice")
            }
            return value
        }
        guard value["type"]?.stringValue == "function", value["function"]?["name"]?.stringValue != nil else {
            throw .invalid(#"tool_choice must be none, auto, required or {"type":"function","function":{"name":...}}"#, param: "tool_choice")
        }
        return value
    }

    /// `response_format`: `text` (nil), `json_object`, or `json_schema` with a name and a schema object.
    static func responseFormat(_ value: JSONValue?) throws(APIFailure) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        switch value["type"]?.stringValue {
        case "text": return nil
        case "json_object": return value
        case "json_schema":
            guard value["json_schema"]?["name"]?.stringValue != nil else {
                throw .invalid("response_format.json_schema.name is required", param: "response_format")
            }
            if let schema = value["json_schema"]?["schema"], schema.objectValue == nil {
                throw .invalid("response_format.json_schema.schema must be an object", param: "response_format")
            }
            return value
        default:
            throw .invalid("response_format.type must be text, json_object or json_schema", param: "response_format")
        }
    }

    static func message(_ raw: JSONValue, param: String) throws(APIFailure) -> ChatMessage {
        guard let roleName = raw["role"]?.stringValue else { throw .invalid("\(param).role is required", param: param) }
        // "developer" is OpenAI's newer name for system instructions.
        guard let role = roleName == "developer" ? .system : ChatMessage.Role(rawValue: roleName) else {
            throw .invalid("\(param).role must be system, developer, user, assistant or tool", param: "\(param).role")
        }
        let content: MessageContent
        switch raw["content"] {
        case .string(let text)?: content = .text(text)
        case .array(let parts)?: content = .parts(.array(parts))
        case .null?, nil: content = .text("")
        default: throw .invalid("\(param).content must be a string, an array of parts or null", param: "\(param).content")
        }
        guard absentOr(raw["tool_calls"], { $0.arrayValue != nil }) else {
            throw .invalid("\(param).tool_calls must be an array", param: "\(param).tool_calls")
        }
        var calls: [ToolCall] = []
        for call in raw["tool_calls"]?.arrayValue ?? [] {
            guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else {
                throw .invalid("\(param).tool_calls entries need an id and a function name", param: "\(param).tool_calls")
            }
            guard call["type"].map({ $0.stringValue == "function" }) ?? true else {
                throw .invalid("\(param).tool_calls: type must be function", param: "\(param).tool_calls")
            }
            guard call["function"]?["arguments"].map({ $0.stringValue != nil }) ?? true else {
                throw .invalid("\(param).tool_calls: a function's arguments must be a JSON text (a string)", param: "\(param).tool_calls")
            }
            calls.append(ToolCall(id: id, name: name, arguments: call["function"]?["arguments"]?.stringValue ?? "{}"))
        }
        let toolCallID = raw["tool_call_id"]?.stringValue
        if role == .tool && toolCallID == nil {
            throw .invalid("\(param).tool_call_id is required on tool messages", param: "\(param).tool_call_id")
        }
        guard absentOr(raw["name"], { $0.stringValue != nil }), absentOr(raw["tool_call_id"], { $0.stringValue != nil }) else {
            throw .invalid("\(param).name and \(param).tool_call_id must be strings", param: param)
        }
        return ChatMessage(role: role, content: content, toolCalls: calls, toolCallID: toolCallID, name: raw["name"]?.stringValue)
    }
}
