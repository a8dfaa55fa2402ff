import JSON
import LLM

/// How a conversation's turn is stored in Redis: one list element per turn, `<tokens>\n<JSON array of the
/// turn's messages>`. The token estimate leads so the append script can prune by it without parsing JSON.
/// The messages keep OpenAI's field names (role, content, tool_calls, tool_call_id, name).
///
/// Pure functions of values; no state.
enum ConversationTurnCodec {
    static func encode(_ messages: [ChatMessage], tokens: Int) -> [UInt8] {
        var out = Array(String(tokens).utf8)
        out.append(UInt8(ascii: "\n"))
        JSONValue.array(messages.map(json)).serialize(into: &out)
        return out
    }

    /// The messages of one stored turn; nil for an element that is not one (never written by agentd).
    static func decode(_ bytes: [UInt8]) -> [ChatMessage]? {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")),
            let value = try? JSONValue.parse(Array(bytes[(newline + 1)...])), let items = value.arrayValue
        else { return nil }
        var messages: [ChatMessage] = []
        for item in items {
            guard let message = message(item) else { return nil }
            messages.append(message)
        }
        return messages
    }

    private static func json(_ message: ChatMessage) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("role", .string(message.role.rawValue))]
        switch message.content {
        case .text(let text): members.append(("content", .string(text)))
        case .parts(let parts): members.append(("content", parts))
        }
        if !message.toolCalls.isEmpty {
            members.append(("tool_calls", .array(message.toolCalls.map { call in
                ["id": .string(call.id), "name": .string(call.name), "arguments": .string(call.arguments)]
            })))
        }
        if let id = message.toolCallID { members.append(("tool_call_id", .string(id))) }
        if let name = message.name { members.append(("name", .string(name))) }
        return .object(JSONObject(members))
    }

    private static func message(_ value: JSONValue) -> ChatMessage? {
        guard let roleName = value["role"]?.stringValue, let role = ChatMessage.Role(rawValue: roleName) else { return nil }
        let content: MessageContent
        switch value["content"] {
        case .string(let text)?: content = .text(text)
        case let parts?: content = .parts(parts)
        case nil: content = .text("")
        }
        var calls: [ToolCall] = []
        for call in value["tool_calls"]?.arrayValue ?? [] {
            guard let id = call["id"]?.stringValue, let name = call["name"]?.stringValue, let arguments = call["arguments"]?.stringValue else {
                return nil
            }
            calls.append(ToolCall(id: id, name: name, arguments: arguments))
        }
        return ChatMessage(
            role: role, content: content, toolCalls: calls, toolCallID: value["tool_call_id"]?.stringValue, name: value["name"]?.stringValue
        )
    }
}
