#if canImport(JSON)
import JSON
#endif
#if canImport(LLM)
import LLM
#endif

/// A `POST /v1/messages` body, read and checked, as the internal request every provider serves: the system
/// prompt (a string or text blocks), user and assistant turns of text, image, `tool_use` and `tool_result`
/// blocks, `tools`, `tool_choice`, `stop_sequences`, `max_tokens`, `temperature`, `top_p`. The body as sent
/// rides along for Anthropic-kind upstreams (`AnthropicPassthrough`). Each failure names its field.
///
/// What the translation cannot carry is refused with a 400 naming it, never dropped: extended thinking, and
/// Anthropic's server tools (web search, code execution…).
public struct AnthropicMessagesRequest: Sendable {
    public var model: String?
    public var stream: Bool
    public var request: ChatRequest

    /// `forCounting`: `count_tokens` takes no `max_tokens`.
    public init(_ body: JSONFields, maxTokensLimit: Int, requestID: String, traceparent: String?, version: String?, beta: String?,
         forCounting: Bool = false) throws(InboundError) {
        model = try body.string("model", maxLength: 256)
        stream = try body.bool("stream") ?? false
        let maxTokens = try body.int("max_tokens", in: 1...maxTokensLimit)
        if maxTokens == nil && !forCounting { throw .invalid("max_tokens: Field required", param: "max_tokens") }
        if let thinking = body.object["thinking"], thinking["type"]?.stringValue == "enabled" {
            throw .invalid("thinking is not supported by agentd (its blocks cannot be carried across providers)", param: "thinking")
        }
        guard let rawMessages = body.object["messages"]?.arrayValue else {
            throw .invalid("messages: Field required (an array of {role, content})", param: "messages")
        }
        guard !rawMessages.isEmpty else { throw .invalid("messages: at least one message is required", param: "messages") }
        var messages: [ChatMessage] = []
        if let system = body.object["system"], !system.isNull {
            let text = try AnthropicMessagesRequest.systemText(system)
            if !text.isEmpty { messages.append(.system(text)) }
        }
        for (index, raw) in rawMessages.enumerated() {
            messages += try AnthropicMessagesRequest.messages(raw, param: "messages.\(index)")
        }
        var stop: [String] = []
        if let value = body.object["stop_sequences"], !value.isNull {
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalid("stop_sequences must be an array of strings", param: "stop_sequences")
            }
            stop = list.compactMap(\.stringValue)
        }
        let tools = try AnthropicMessagesRequest.tools(body.object["tools"])
        let (choice, parallel) = try AnthropicMessagesRequest.toolChoice(body.object["tool_choice"])
        var passthrough = body.object
        passthrough["model"] = nil
        passthrough["stream"] = nil
        request = ChatRequest(
            model: "", messages: messages, maxTokens: maxTokens, temperature: try body.double("temperature", in: 0...1),
            topP: try body.double("top_p", in: 0...1), stop: stop,
            user: body.object["metadata"]?["user_id"]?.stringValue, tools: tools, toolChoice: choice, parallelToolCalls: parallel,
            requestID: requestID, traceparent: traceparent
        )
        request.anthropic = AnthropicPassthrough(body: passthrough, version: version, beta: beta)
    }

    static func systemText(_ system: JSONValue) throws(InboundError) -> String {
        if let text = system.stringValue { return text }
        guard let blocks = system.arrayValue else { throw .invalid("system must be a string or an array of text blocks", param: "system") }
        var texts: [String] = []
        for (index, block) in blocks.enumerated() {
            guard block["type"]?.stringValue == "text", let text = block["text"]?.stringValue else {
                throw .invalid("system.\(index) must be a text block", param: "system.\(index)")
            }
            texts.append(text)
        }
        return texts.joined(separator: "\n\n")
    }

    /// One Anthropic turn as internal messages: an assistant turn is one message (text and tool calls); a user
    /// turn's `tool_result` blocks become tool messages, in order, then its other blocks one user message.
    static func messages(_ raw: JSONValue, param: String) throws(InboundError) -> [ChatMessage] {
        guard let role = raw["role"]?.stringValue, role == "user" || role == "assistant" else {
            throw .invalid("\(param).role must be user or assistant", param: "\(param).role")
        }
        if let text = raw["content"]?.stringValue {
            return [ChatMessage(role: role == "user" ? .user : .assistant, content: .text(text))]
        }
        guard let blocks = raw["content"]?.arrayValue else {
            throw .invalid("\(param).content must be a string or an array of content blocks", param: "\(param).content")
        }
        if role == "assistant" {
            var text = ""
            var calls: [ToolCall] = []
            for (index, block) in blocks.enumerated() {
                switch block["type"]?.stringValue {
                case "text": text += try blockText(block, at: "\(param).content.\(index)")
                case "tool_use":
                    guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                        throw .invalid("\(param).content.\(index): a tool_use block needs an id and a name", param: "\(param).content.\(index)")
                    }
                    calls.append(ToolCall(id: id, name: name, arguments: (block["input"] ?? .object(JSONObject())).text))
                case let type:
                    throw unsupported(type, at: "\(param).content.\(index)")
                }
            }
            return [ChatMessage(role: .assistant, content: .text(text), toolCalls: calls)]
        }
        var results: [ChatMessage] = []
        var parts: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            let at = "\(param).content.\(index)"
            switch block["type"]?.stringValue {
            case "text":
                parts.append(["type": "text", "text": .string(try blockText(block, at: at))])
            case "image":
                parts.append(try image(block, at: at))
            case "tool_result":
                guard let id = block["tool_use_id"]?.stringValue else {
                    throw .invalid("\(at): a tool_result block needs a tool_use_id", param: at)
                }
                var text = try resultText(block["content"], at: at)
                if block["is_error"]?.boolValue == true { text = "error: " + text }
                results.append(ChatMessage(role: .tool, content: .text(text), toolCallID: id))
            case let type:
                throw unsupported(type, at: at)
            }
        }
        if !parts.isEmpty {
            let onlyText = parts.allSatisfy { $0["type"]?.stringValue == "text" }
            let content: MessageContent = onlyText
                ? .text(parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")) : .parts(.array(parts))
            results.append(ChatMessage(role: .user, content: content))
        }
        return results
    }

    /// A text block's text: required, a string.
    static func blockText(_ block: JSONValue, at: String) throws(InboundError) -> String {
        guard let text = block["text"]?.stringValue else { throw .invalid("\(at).text is required: a string", param: "\(at).text") }
        return text
    }

    /// A `tool_result`'s content: a string, or text blocks (joined).
    static func resultText(_ content: JSONValue?, at: String) throws(InboundError) -> String {
        guard let content, !content.isNull else { return "" }
        if let text = content.stringValue { return text }
        guard let blocks = content.arrayValue else { throw .invalid("\(at).content must be a string or blocks", param: "\(at).content") }
        var texts: [String] = []
        for (index, block) in blocks.enumerated() {
            guard block["type"]?.stringValue == "text", let text = block["text"]?.stringValue else {
                throw unsupported(block["type"]?.stringValue, at: "\(at).content.\(index)", what: "in a tool_result")
            }
            texts.append(text)
        }
        return texts.joined(separator: "\n")
    }

    /// An image block as an OpenAI image part: base64 data as a data URL, or the URL.
    static func image(_ block: JSONValue, at: String) throws(InboundError) -> JSONValue {
        let source = block["source"]
        switch source?["type"]?.stringValue {
        case "base64":
            guard let media = source?["media_type"]?.stringValue, let data = source?["data"]?.stringValue else {
                throw .invalid("\(at).source needs media_type and data", param: "\(at).source")
            }
            return ["type": "image_url", "image_url": ["url": .string("data:\(media);base64,\(data)")]]
        case "url":
            guard let url = source?["url"]?.stringValue else { throw .invalid("\(at).source.url is required", param: "\(at).source") }
            return ["type": "image_url", "image_url": ["url": .string(url)]]
        default:
            throw .invalid("\(at).source.type must be base64 or url", param: "\(at).source.type")
        }
    }

    /// Anthropic's client tools as OpenAI function tools (the internal form).
    static func tools(_ value: JSONValue?) throws(InboundError) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        guard let list = value.arrayValue else { throw .invalid("tools must be an array", param: "tools") }
        var tools: [JSONValue] = []
        for (index, tool) in list.enumerated() {
            if let type = tool["type"], !type.isNull, type.stringValue == nil {
                throw .invalid("tools.\(index).type must be a string", param: "tools.\(index).type")
            }
            if let type = tool["type"]?.stringValue, type != "custom" {
                throw .invalid("tools.\(index): \(type) is an Anthropic server tool, which agentd does not support; use client tools", param: "tools.\(index).type")
            }
            guard let name = tool["name"]?.stringValue else { throw .invalid("tools.\(index).name is required", param: "tools.\(index).name") }
            if let description = tool["description"], !description.isNull, description.stringValue == nil {
                throw .invalid("tools.\(index).description must be a string", param: "tools.\(index).description")
            }
            if let schema = tool["input_schema"], !schema.isNull, schema.objectValue == nil {
                throw .invalid("tools.\(index).input_schema must be a JSON Schema object", param: "tools.\(index).input_schema")
            }
            var function = JSONObject()
            function["name"] = .string(name)
            if let description = tool["description"] { function["description"] = description }
            function["parameters"] = tool["input_schema"] ?? ["type": "object", "properties": .object(JSONObject())]
            tools.append(["type": "function", "function": .object(function)])
        }
        return tools.isEmpty ? nil : .array(tools)
    }

    /// `tool_choice` in OpenAI's terms, and whether parallel calls are off.
    static func toolChoice(_ value: JSONValue?) throws(InboundError) -> (JSONValue?, Bool?) {
        guard let value, !value.isNull else { return (nil, nil) }
        if let flag = value["disable_parallel_tool_use"], !flag.isNull, flag.boolValue == nil {
            throw .invalid("tool_choice.disable_parallel_tool_use must be true or false", param: "tool_choice.disable_parallel_tool_use")
        }
        if let name = value["name"], !name.isNull, name.stringValue == nil {
            throw .invalid("tool_choice.name must be a string", param: "tool_choice.name")
        }
        let parallel: Bool? = value["disable_parallel_tool_use"]?.boolValue == true ? false : nil
        switch value["type"]?.stringValue {
        case "auto": return ("auto", parallel)
        case "any": return ("required", parallel)
        case "none": return ("none", nil)
        case "tool":
            guard let name = value["name"]?.stringValue else { throw .invalid("tool_choice.name is required with type tool", param: "tool_choice.name") }
            return (["type": "function", "function": ["name": .string(name)]], parallel)
        default:
            throw .invalid("tool_choice.type must be auto, any, tool or none", param: "tool_choice.type")
        }
    }

    static func unsupported(_ type: String?, at: String, what: String = "") -> InboundError {
        let name = type.map { "\"\($0)\"" } ?? "without a type"
        let place = what.isEmpty ? "" : " \(what)"
        return .invalid("\(at): a content block \(name)\(place) is not supported by agentd (text, image, tool_use, tool_result)", param: at)
    }
}
