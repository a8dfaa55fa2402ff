// Also built alone with the JSON and Inbound sources by `FUZZ_TARGET=inbound Fuzz/run.sh` (one module there).
#if canImport(JSON)
import JSON
#endif

/// One message of a conversation, in the shape every provider adapter translates from.
///
/// The canonical form is OpenAI's (roles system/user/assistant/tool, assistant `tool_calls`, `tool` replies
/// carrying `tool_call_id`), because `/v1/chat/completions` clients speak it; Anthropic's content blocks
/// are translated to and from it at the adapter.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case system, user, assistant, tool
    }

    public var role: Role
    /// Plain text, or OpenAI content parts (`[{"type":"text",...}, {"type":"image_url",...}]`) kept as sent.
    public var content: MessageContent
    /// Tool calls an assistant message made.
    public var toolCalls: [ToolCall]
    /// On a `tool` message: the call it answers.
    public var toolCallID: String?
    public var name: String?

    public init(
        role: Role, content: MessageContent = .text(""), toolCalls: [ToolCall] = [], toolCallID: String? = nil,
        name: String? = nil
    ) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: .text(text)) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: .text(text)) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: .assistant, content: .text(text)) }
}

/// Message content: text, or OpenAI content parts.
public enum MessageContent: Sendable, Equatable {
    case text(String)
    case parts(JSONValue)

    /// The text of the content: the string, or the text parts joined.
    public var text: String {
        switch self {
        case .text(let text): return text
        case .parts(let parts):
            return (parts.arrayValue ?? []).compactMap { part in
                part["type"]?.stringValue == "text" ? part["text"]?.stringValue : nil
            }.joined(separator: "\n")
        }
    }
}

/// A function call requested by the model. `arguments` is JSON text, as OpenAI sends it.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
