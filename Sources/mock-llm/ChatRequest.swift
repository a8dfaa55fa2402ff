import Foundation

/// The wire format a request arrived in; it decides the shape of every answer and error.
enum Provider: String, Sendable {
    case openAI = "openai"
    case anthropic = "anthropic"
}

/// What mock-llm needs of a chat request, in either wire format: the answer is derived from it alone.
struct ChatRequest: Sendable, Equatable {
    /// How the conversation ends, which decides the answer.
    enum LastTurn: Sendable, Equatable {
        /// The last message is from the user; `text` is its text.
        case user(String)
        /// The last message carries a tool's result (OpenAI role `tool`, Anthropic `tool_result` blocks).
        case toolResult(String)
        /// The last message is the assistant's; the answer echoes the last user text seen before it.
        case assistant(lastUserText: String)
    }

    var model: String
    var stream = false
    /// OpenAI `stream_options.include_usage`.
    var includeUsage = false
    /// `max_tokens` (OpenAI: `max_completion_tokens` first); nil means unbounded.
    var maxTokens: Int?
    /// Characters of every message text and the system prompt, for the input token count.
    var inputCharacters = 0
    var lastTurn = LastTurn.user("")
    /// The name of the first tool offered, if any.
    var firstToolName: String?
    /// Tool results in the conversation so far (for `tool_steps`).
    var toolResults = 0
    /// The last user message's text, whatever came after it.
    var lastUserText = ""

    /// The user's text when the last message is the user's.
    var userTurnText: String? { if case .user(let text) = lastTurn { text } else { nil } }

    var inputTokens: Int { max(1, (inputCharacters + 3) / 4) }

    /// Parses a Chat Completions body (OpenAI's `completion_create_params`).
    static func openAI(body: [UInt8]) throws(MockRequestError) -> ChatRequest {
        let object = try jsonObject(body)
        var request = try base(object)
        if let options = object["stream_options"] as? [String: Any] { request.includeUsage = bool(options["include_usage"]) }
        let completionLimit = try maxTokens(object, "max_completion_tokens")
        let legacyLimit = try maxTokens(object, "max_tokens")
        request.maxTokens = completionLimit ?? legacyLimit
        guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw .invalid("messages: a non-empty array of message objects is required")
        }
        var lastUser = ""
        for message in messages {
            let text = joinedText(message["content"])
            request.inputCharacters += text.count
            if let calls = message["tool_calls"] as? [[String: Any]] {
                for call in calls { request.inputCharacters += ((call["function"] as? [String: Any])?["arguments"] as? String)?.count ?? 0 }
            }
            if message["role"] as? String == "user" { lastUser = text }
            if ["tool", "function"].contains(message["role"] as? String ?? "") { request.toolResults += 1 }
        }
        request.lastUserText = lastUser
        switch messages.last?["role"] as? String {
        case "tool", "function": request.lastTurn = .toolResult(joinedText(messages.last?["content"]))
        case "user": request.lastTurn = .user(lastUser)
        default: request.lastTurn = .assistant(lastUserText: lastUser)
        }
        if let tools = object["tools"] as? [[String: Any]], let first = tools.first {
            let function = first["function"] as? [String: Any] ?? first["custom"] as? [String: Any]
            request.firstToolName = function?["name"] as? String
        }
        return request
    }

    /// Parses a Messages API body: `system` as a string or text blocks, `content` as a string or blocks.
    static func anthropic(body: [UInt8]) throws(MockRequestError) -> ChatRequest {
        let object = try jsonObject(body)
        var request = try base(object)
        guard object["max_tokens"] != nil else { throw .invalid("max_tokens: Field required") }
        request.maxTokens = try maxTokens(object, "max_tokens")
        request.inputCharacters = joinedText(object["system"]).count
        guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw .invalid("messages: a non-empty array of message objects is required")
        }
        var lastUser = ""
        var lastToolResult: String?
        for message in messages {
            let content = message["content"]
            var text = joinedText(content)
            var results: [String] = []
            for block in content as? [[String: Any]] ?? [] {
                switch block["type"] as? String {
                case "tool_result": results.append(joinedText(block["content"]))
                case "tool_use": text += compactJSON(block["input"])
                default: break
                }
            }
            request.inputCharacters += text.count + results.reduce(0) { $0 + $1.count }
            request.toolResults += results.count
            lastToolResult = results.isEmpty ? nil : results.joined(separator: " ")
            if message["role"] as? String == "user" && results.isEmpty { lastUser = text }
        }
        request.lastUserText = lastUser
        if messages.last?["role"] as? String == "user" {
            request.lastTurn = lastToolResult.map { .toolResult($0) } ?? .user(lastUser)
        } else {
            request.lastTurn = .assistant(lastUserText: lastUser)
        }
        if let tools = object["tools"] as? [[String: Any]], let first = tools.first {
            request.firstToolName = first["name"] as? String
        }
        return request
    }

    private static func jsonObject(_ body: [UInt8]) throws(MockRequestError) -> [String: Any] {
        guard !body.isEmpty else { throw .invalid("the request body is empty; a JSON object is required") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw .invalid("the request body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else { throw .invalid("the request body must be a JSON object") }
        return object
    }

    private static func base(_ object: [String: Any]) throws(MockRequestError) -> ChatRequest {
        guard let model = object["model"] as? String, !model.isEmpty else { throw .invalid("model: a non-empty string is required") }
        var request = ChatRequest(model: model)
        request.stream = bool(object["stream"])
        return request
    }

    private static func maxTokens(_ object: [String: Any], _ field: String) throws(MockRequestError) -> Int? {
        guard let value = object[field], !(value is NSNull) else { return nil }
        guard let number = value as? Int, !(value is Bool), number >= 1 else {
            throw .invalid("\(field): an integer of at least 1 is required")
        }
        return number
    }

    private static func bool(_ value: Any?) -> Bool { (value as? Bool) ?? false }

    /// A value as compact JSON with sorted keys, so its length does not depend on dictionary order.
    private static func compactJSON(_ value: Any?) -> String {
        guard let value, JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A message's text: a string, or the `text` of its text parts/blocks joined (other parts carry no text).
    static func joinedText(_ content: Any?) -> String {
        if let text = content as? String { return text }
        guard let parts = content as? [[String: Any]] else { return "" }
        return parts.compactMap { part in
            let type = part["type"] as? String
            return type == nil || type == "text" || type == "input_text" ? part["text"] as? String : nil
        }.joined(separator: " ")
    }
}
