/// Tokens a call consumed.
public struct ChatUsage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }
}

/// Why the model stopped, in OpenAI's words.
public enum FinishReason: String, Sendable, Equatable {
    case stop
    case length
    case toolCalls = "tool_calls"
    case contentFilter = "content_filter"
}

/// A whole answer.
public struct ChatCompletion: Sendable, Equatable {
    public var text: String
    public var toolCalls: [ToolCall]
    public var finishReason: FinishReason
    public var usage: ChatUsage
    /// The stop sequence that ended the answer, when the upstream names it (Anthropic does; OpenAI says `stop`).
    public var stopSequence: String?

    public init(
        text: String, toolCalls: [ToolCall] = [], finishReason: FinishReason = .stop, usage: ChatUsage = ChatUsage(),
        stopSequence: String? = nil
    ) {
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.stopSequence = stopSequence
    }
}

/// One piece of a streamed answer, provider-neutral.
public enum ChatStreamEvent: Sendable, Equatable {
    case text(String)
    /// A tool call begins; `index` orders calls within the answer (OpenAI's `tool_calls[].index`).
    case toolCallStart(index: Int, id: String, name: String)
    /// A piece of a tool call's JSON arguments.
    case toolCallArguments(index: Int, fragment: String)
}

/// How a stream ended.
public struct StreamSummary: Sendable, Equatable {
    public var finishReason: FinishReason
    public var usage: ChatUsage
    /// As on `ChatCompletion`.
    public var stopSequence: String?

    public init(finishReason: FinishReason = .stop, usage: ChatUsage = ChatUsage(), stopSequence: String? = nil) {
        self.finishReason = finishReason
        self.usage = usage
        self.stopSequence = stopSequence
    }
}

/// A streamed answer put back together: its text, and its tool calls from their pieces, in the order of their
/// indexes. For what needs the whole answer at the end (an agent's next step, a stored response).
/// A value: its owner is whoever holds it (behind a lock when the stream's callbacks add to it).
public struct StreamedAnswer: Sendable {
    public private(set) var text = ""
    private var calls: [Int: ToolCall] = [:]

    public init() {}

    public var toolCalls: [ToolCall] { calls.sorted { $0.key < $1.key }.map(\.value) }

    public mutating func add(_ event: ChatStreamEvent) {
        switch event {
        case .text(let piece): text += piece
        case .toolCallStart(let index, let id, let name): calls[index] = ToolCall(id: id, name: name, arguments: "")
        case .toolCallArguments(let index, let fragment): calls[index]?.arguments += fragment
        }
    }

    public func completion(_ summary: StreamSummary) -> ChatCompletion {
        ChatCompletion(
            text: text, toolCalls: toolCalls, finishReason: summary.finishReason, usage: summary.usage, stopSequence: summary.stopSequence
        )
    }
}
