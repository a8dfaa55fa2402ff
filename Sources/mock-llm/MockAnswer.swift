import Logging

/// The deterministic answer to a conversation: `echo: <last user text>`, `tool said: <tool result>`, or a
/// call to the first tool; with token counts, and the cuts a stream sends it in.
///
/// A value computed once per request from the request alone. Words keep the whitespace before them, so the
/// chunks of a stream concatenate to exactly the non-streamed text.
struct MockAnswer: Sendable, Equatable {
    enum Content: Sendable, Equatable {
        /// The text as words, each with the whitespace that precedes it.
        case text(words: [String])
        /// `arguments` is the JSON text of the call's arguments, `{"query":"<user text>"}`.
        case toolCall(name: String, arguments: String)
    }

    let content: Content
    /// Cut at `max_tokens` words.
    let truncated: Bool
    let inputTokens: Int
    let outputTokens: Int

    init(request: ChatRequest, options: MockOptions) {
        inputTokens = request.inputTokens
        let again: String? = if case .toolResult = request.lastTurn, request.toolResults < options.toolSteps { request.lastUserText } else { nil }
        if let text = again ?? request.userTurnText, let tool = request.firstToolName, options.wantsToolCall {
            let arguments = "{\"query\":\(JSONText.quoted(text))}"
            content = .toolCall(name: tool, arguments: arguments)
            truncated = false
            outputTokens = max(1, (tool.count + arguments.count + 3) / 4)
            return
        }
        let text: String
        switch request.lastTurn {
        case .user(let user), .assistant(let user): text = "echo: " + user
        case .toolResult(let result): text = "tool said: " + result
        }
        var words = MockAnswer.words(text)
        truncated = request.maxTokens.map { words.count > $0 } ?? false
        if truncated, let limit = request.maxTokens { words = Array(words.prefix(limit)) }
        content = .text(words: words)
        outputTokens = words.count
    }

    /// The whole text of a text answer ("" for a tool call).
    var text: String {
        guard case .text(let words) = content else { return "" }
        return words.joined()
    }

    var isToolCall: Bool { if case .toolCall = content { return true } else { return false } }

    /// A text answer as `count` deltas of whole words (fewer when there are fewer words), in order.
    func textChunks(_ count: Int) -> [String] {
        guard case .text(let words) = content else { return [] }
        return MockAnswer.split(words.count, into: count).map { words[$0].joined() }
    }

    /// A tool call's arguments as `count` pieces (at least 2, at most one per character).
    func argumentChunks(_ count: Int) -> [String] {
        guard case .toolCall(_, let arguments) = content else { return [] }
        let characters = Array(arguments)
        return MockAnswer.split(characters.count, into: max(2, count)).map { String(characters[$0]) }
    }

    /// `total` items cut into `count` ranges as even as possible (the first ones one longer), none empty.
    static func split(_ total: Int, into count: Int) -> [Range<Int>] {
        let parts = max(1, min(count, total))
        guard total > 0 else { return [0..<0] }
        let base = total / parts, extra = total % parts
        var ranges: [Range<Int>] = []
        var start = 0
        for index in 0..<parts {
            let length = base + (index < extra ? 1 : 0)
            ranges.append(start..<(start + length))
            start += length
        }
        return ranges
    }

    /// Words with the whitespace before each; leading whitespace joins the first word, trailing the last.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var currentHasWord = false
        var inWhitespace = false
        for character in text {
            let isSpace = character.isWhitespace
            if isSpace && currentHasWord && !inWhitespace {
                words.append(current)
                current = ""
                currentHasWord = false
            }
            current.append(character)
            if !isSpace { currentHasWord = true }
            inWhitespace = isSpace
        }
        if !current.isEmpty {
            if currentHasWord || words.isEmpty { words.append(current) } else { words[words.count - 1] += current }
        }
        return words
    }
}
