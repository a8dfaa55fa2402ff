#if canImport(LLM)
import LLM
#endif

/// Turns one answer's stream events into a format's event stream. Owner: the stream's callbacks, which run one
/// at a time (the pipeline keeps the encoder behind a lock).
public protocol InboundStreamEncoder: Sendable {
    /// The bytes for one event (the format's opening events come with the first).
    mutating func encode(_ event: ChatStreamEvent) -> [UInt8]
    /// The closing events of a stream that completed. `answer` is the whole answer the events made.
    mutating func end(_ summary: StreamSummary, answer: ChatCompletion) -> [UInt8]
    /// The event that ends a stream that failed after it started.
    mutating func failure(_ failure: InboundError) -> [UInt8]
}

/// A streamed answer put back together: its text and tool calls, for what needs the whole answer at the end
/// (the Responses API's final event, its stored response).
public struct StreamedAnswer: Sendable {
    public private(set) var text = ""
    public private(set) var calls: [ToolCall] = []
    private var callIndex: [Int: Int] = [:]

    public init() {}

    public mutating func add(_ event: ChatStreamEvent) {
        switch event {
        case .text(let piece):
            text += piece
        case .toolCallStart(let index, let id, let name):
            callIndex[index] = calls.count
            calls.append(ToolCall(id: id, name: name, arguments: ""))
        case .toolCallArguments(let index, let fragment):
            if let position = callIndex[index] { calls[position].arguments += fragment }
        }
    }

    public func completion(_ summary: StreamSummary) -> ChatCompletion {
        ChatCompletion(
            text: text, toolCalls: calls, finishReason: summary.finishReason, usage: summary.usage,
            stopSequence: summary.stopSequence
        )
    }
}
