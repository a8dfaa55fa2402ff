import LLM

/// The kept history of one conversation: whole turns, oldest first, within a token budget.
///
/// A value owned by whoever holds it (in the server, `ConversationTable` under `ConversationStore`'s lock).
/// A turn is a user message and everything the assistant produced for it: an assistant message with tool
/// calls, the tool results, the final answer. Turns are kept as units, so pruning never splits one (a
/// provider refuses a tool result whose call was cut off). The system prompt is never part of it.
struct ConversationHistory: Sendable {
    struct Turn: Sendable {
        var messages: [ChatMessage]
        var tokens: Int
    }

    private(set) var turns: [Turn] = []
    /// The sum of the turns' estimated tokens, kept as turns come and go.
    private(set) var tokens = 0

    /// The messages of every kept turn, oldest first, ready to follow the system prompt in a request.
    var messages: [ChatMessage] {
        var messages: [ChatMessage] = []
        messages.reserveCapacity(turns.reduce(0) { $0 + $1.messages.count })
        for turn in turns { messages.append(contentsOf: turn.messages) }
        return messages
    }

    /// Appends a completed turn, then drops the oldest turns while the total exceeds `maxTokens`.
    ///
    /// The latest turn is always kept, even when it alone exceeds the budget: a continued conversation
    /// must at least remember what was just said.
    mutating func append(_ messages: [ChatMessage], maxTokens: Int) {
        let cost = messages.reduce(0) { $0 + ConversationStore.estimatedTokens($1) }
        turns.append(Turn(messages: messages, tokens: cost))
        tokens += cost
        var dropped = 0
        while tokens > maxTokens, turns.count - dropped > 1 {
            tokens -= turns[dropped].tokens
            dropped += 1
        }
        if dropped > 0 { turns.removeFirst(dropped) }
    }
}

extension ConversationStore {
    /// The tokens a message is estimated to cost in a prompt: ceil(characters / 4) + 4.
    ///
    /// Characters are Swift `Character`s of the content's text (text parts only; images and other parts
    /// count nothing) plus each tool call's name and arguments. Four characters a token is the usual rule of
    /// thumb for English with OpenAI's and Anthropic's tokenizers; the 4 more stand for the role and the
    /// framing every message costs. It only has to be stable and roughly right: it bounds what a
    /// conversation replays, it is not billed.
    public static func estimatedTokens(_ message: ChatMessage) -> Int {
        var characters = message.content.text.count
        for call in message.toolCalls {
            characters += call.name.count + call.arguments.count
        }
        return (characters + 3) / 4 + 4
    }
}
