#if canImport(JSON)
import JSON
#endif
#if canImport(LLM)
import LLM
#endif

/// A `POST /v1/responses` body, read and checked: `input` as text or items (messages, `function_call`,
/// `function_call_output`), `instructions`, function `tools`, `tool_choice`, `max_output_tokens`, `temperature`,
/// `top_p`, `parallel_tool_calls`, `previous_response_id`, `store`, `stream`, `user`, `metadata`.
///
/// What agentd cannot do is refused with a 400 naming it, never ignored: built-in tools (web search, file
/// search, computer use…), background mode, reasoning, input files, reasoning items,
/// conversation objects and stored prompt templates.
public struct ResponsesRequest: Sendable {
    public var model: String?
    public var stream: Bool
    public var store: Bool
    public var previousResponseID: String?
    /// The instructions, as a system message (not carried to later responses, as OpenAI does).
    public var instructions: String?
    /// This request's input as messages (the stored history goes before them).
    public var input: [ChatMessage]
    /// The request without its messages: limits, tools and sampling.
    public var request: ChatRequest
    /// Echoed in the response object.
    public var echo: JSONObject

    public init(_ body: JSONFields, maxTokensLimit: Int, requestID: String, traceparent: String?) throws(InboundError) {
        let object = body.object
        model = try body.string("model", maxLength: 256)
        stream = try body.bool("stream") ?? false
        store = try body.bool("store") ?? true
        previousResponseID = try body.string("previous_response_id", maxLength: 256, minLength: 1)
        instructions = try body.string("instructions", maxLength: 1_000_000)
        if try body.bool("background") == true {
            throw .invalid("background mode is not supported by agentd; stream the response or use POST /tasks", param: "background")
        }
        if body.has("conversation") {
            throw .invalid("conversation is not supported by agentd; continue a response with previous_response_id", param: "conversation")
        }
        if body.has("prompt") {
            throw .invalid("prompt (a stored prompt template) is not supported by agentd; send instructions and input", param: "prompt")
        }
        if let reasoning = object["reasoning"], !reasoning.isNull, reasoning["effort"].map({ !$0.isNull }) ?? false {
            throw .invalid("reasoning is not supported by agentd", param: "reasoning")
        }
        let responseFormat = try ResponsesRequest.responseFormat(object["text"]?["format"])
        input = try ResponsesRequest.input(object["input"])
        let (tools, names) = try ResponsesRequest.tools(object["tools"])
        let choice = try ResponsesRequest.toolChoice(object["tool_choice"], tools: names)
        request = ChatRequest(
            model: "", messages: [], maxTokens: try body.int("max_output_tokens", in: 1...maxTokensLimit),
            temperature: try body.double("temperature", in: 0...2), topP: try body.double("top_p", in: 0...1),
            user: try body.string("user", maxLength: 256), tools: tools, toolChoice: choice,
            parallelToolCalls: try body.bool("parallel_tool_calls"), requestID: requestID, traceparent: traceparent
        )
        request.responseFormat = responseFormat
        var echo = JSONObject()
        for key in ["metadata", "tools", "tool_choice", "parallel_tool_calls", "temperature", "top_p", "max_output_tokens", "user", "instructions", "text"] {
            if let value = object[key] { echo[key] = value }
        }
        self.echo = echo
    }

    /// `text.format` in Chat Completions' terms: `text` (nil), `json_object`, or `json_schema` (name, schema, strict).
    static func responseFormat(_ format: JSONValue?) throws(InboundError) -> JSONValue? {
        guard let format, !format.isNull else { return nil }
        switch format["type"]?.stringValue {
        case "text": return nil
        case "json_object": return ["type": "json_object"]
        case "json_schema":
            guard let name = format["name"]?.stringValue, let schema = format["schema"], schema.objectValue != nil else {
                throw .invalid("text.format of type json_schema needs a name and a schema object", param: "text.format")
            }
            var described = JSONObject([("name", .string(name)), ("schema", schema)])
            if let strict = format["strict"], !strict.isNull { described["strict"] = strict }
            if let description = format["description"], !description.isNull { described["description"] = description }
            return ["type": "json_schema", "json_schema": .object(described)]
        case let type:
            throw .invalid("text.format of type \(type ?? "(none)") is not supported (text, json_object, json_schema)", param: "text.format")
        }
    }

    /// `input`: a string (one user message) or items.
    static func input(_ value: JSONValue?) throws(InboundError) -> [ChatMessage] {
        guard let value, !value.isNull else { throw .invalid("input is required: a string or an array of items", param: "input") }
        if let text = value.stringValue { return [.user(text)] }
        guard let items = value.arrayValue else { throw .invalid("input must be a string or an array of items", param: "input") }
        var messages: [ChatMessage] = []
        for (index, item) in items.enumerated() {
            let at = "input[\(index)]"
            switch item["type"]?.stringValue ?? (item["role"] != nil ? "message" : nil) {
            case "message":
                messages.append(try message(item, at: at))
            case "function_call":
                guard let callID = item["call_id"]?.stringValue, let name = item["name"]?.stringValue else {
                    throw .invalid("\(at): a function_call needs call_id and name", param: at)
                }
                let call = ToolCall(id: callID, name: name, arguments: item["arguments"]?.stringValue ?? "{}")
                // Calls that follow an assistant message (or each other) belong to that assistant turn.
                if let last = messages.last, last.role == .assistant {
                    messages[messages.count - 1].toolCalls.append(call)
                } else {
                    messages.append(ChatMessage(role: .assistant, content: .text(""), toolCalls: [call]))
                }
            case "function_call_output":
                guard let callID = item["call_id"]?.stringValue else { throw .invalid("\(at): a function_call_output needs call_id", param: at) }
                let output: String
                if let text = item["output"]?.stringValue {
                    output = text
                } else {
                    output = try parts(item["output"], at: "\(at).output").text
                }
                messages.append(ChatMessage(role: .tool, content: .text(output), toolCallID: callID))
            case let type:
                throw .invalid("\(at): items of type \(type.map { "\"\($0)\"" } ?? "(none)") are not supported by agentd "
                    + "(message, function_call, function_call_output)", param: "\(at).type")
            }
        }
        guard !messages.isEmpty else { throw .invalid("input must not be empty", param: "input") }
        return messages
    }

    static func message(_ item: JSONValue, at: String) throws(InboundError) -> ChatMessage {
        let role: ChatMessage.Role
        switch item["role"]?.stringValue {
        case "user": role = .user
        case "assistant": role = .assistant
        case "system", "developer": role = .system
        default: throw .invalid("\(at).role must be user, assistant, system or developer", param: "\(at).role")
        }
        if let text = item["content"]?.stringValue { return ChatMessage(role: role, content: .text(text)) }
        return ChatMessage(role: role, content: try parts(item["content"], at: "\(at).content"))
    }

    /// Content parts (`input_text`, `output_text`, `input_image`) as internal content: text when all are text.
    static func parts(_ value: JSONValue?, at: String) throws(InboundError) -> MessageContent {
        guard let parts = value?.arrayValue else { throw .invalid("\(at) must be a string or an array of content parts", param: at) }
        var converted: [JSONValue] = []
        for (index, part) in parts.enumerated() {
            switch part["type"]?.stringValue {
            case "input_text", "output_text", "text":
                converted.append(["type": "text", "text": part["text"] ?? ""])
            case "refusal":
                converted.append(["type": "text", "text": part["refusal"] ?? ""])
            case "input_image":
                guard let url = part["image_url"]?.stringValue else {
                    throw .invalid("\(at)[\(index)]: input_image needs an image_url (file ids are not supported)", param: "\(at)[\(index)]")
                }
                var image = JSONObject([("url", .string(url))])
                if let detail = part["detail"] { image["detail"] = detail }
                converted.append(["type": "image_url", "image_url": .object(image)])
            case let type:
                throw .invalid("\(at)[\(index)]: content of type \(type.map { "\"\($0)\"" } ?? "(none)") is not supported by agentd "
                    + "(input_text, output_text, input_image)", param: "\(at)[\(index)].type")
            }
        }
        if converted.allSatisfy({ $0["type"]?.stringValue == "text" }) {
            return .text(converted.compactMap { $0["text"]?.stringValue }.joined(separator: "\n"))
        }
        return .parts(.array(converted))
    }

    /// Function tools (`{"type":"function","name","description","parameters"}`) in Chat Completions' form.
    static func tools(_ value: JSONValue?) throws(InboundError) -> (JSONValue?, Set<String>) {
        guard let value, !value.isNull else { return (nil, []) }
        guard let list = value.arrayValue else { throw .invalid("tools must be an array", param: "tools") }
        var tools: [JSONValue] = []
        var names: Set<String> = []
        for (index, tool) in list.enumerated() {
            guard tool["type"]?.stringValue == "function" else {
                let type = tool["type"]?.stringValue ?? "(none)"
                throw .invalid("tools[\(index)]: the \(type) tool is not supported by agentd (function tools only)", param: "tools[\(index)].type")
            }
            guard let name = tool["name"]?.stringValue else { throw .invalid("tools[\(index)].name is required", param: "tools[\(index)].name") }
            names.insert(name)
            var function = JSONObject([("name", .string(name))])
            if let description = tool["description"], !description.isNull { function["description"] = description }
            function["parameters"] = tool["parameters"].flatMap { $0.isNull ? nil : $0 } ?? ["type": "object", "properties": .object(JSONObject())]
            if let strict = tool["strict"], !strict.isNull { function["strict"] = strict }
            tools.append(["type": "function", "function": .object(function)])
        }
        return (tools.isEmpty ? nil : .array(tools), names)
    }

    static func toolChoice(_ value: JSONValue?, tools: Set<String>) throws(InboundError) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        if let mode = value.stringValue {
            guard ["auto", "none", "required"].contains(mode) else { throw .invalid("tool_choice must be auto, none or required", param: "tool_choice") }
            return value
        }
        guard value["type"]?.stringValue == "function", let name = value["name"]?.stringValue else {
            let type = value["type"]?.stringValue ?? "(none)"
            throw .invalid("tool_choice of type \(type) is not supported by agentd (auto, none, required or a function)", param: "tool_choice")
        }
        guard tools.contains(name) else { throw .invalid("tool_choice names \(name), which is not among the tools", param: "tool_choice") }
        return ["type": "function", "function": ["name": .string(name)]]
    }
}
