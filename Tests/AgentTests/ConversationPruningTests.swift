@testable import Agent
import JSON
import LLM
import Testing

/// The token estimate, and pruning that drops whole turns from the oldest and always keeps the latest.
@Suite struct ConversationPruningTests {
    @Test func estimateIsCharactersOverFourRoundedUpPlusFour() {
        #expect(ConversationStore.estimatedTokens(.user("")) == 4)
        #expect(ConversationStore.estimatedTokens(.user("abc")) == 5)
        #expect(ConversationStore.estimatedTokens(.user("abcd")) == 5)
        #expect(ConversationStore.estimatedTokens(.user("abcde")) == 6)
        #expect(ConversationStore.estimatedTokens(.user("👍🏽é")) == 5)  // two Characters
        let call = ChatMessage(role: .assistant, toolCalls: [ToolCall(id: "call_1", name: "lookup", arguments: #"{"q":"x"}"#)])
        #expect(ConversationStore.estimatedTokens(call) == 8)  // 6 + 9 characters
        let parts = ChatMessage(
            role: .user,
            content: .parts([["type": "text", "text": "abcdefgh"], ["type": "image_url", "image_url": ["url": "https://example.com/a.png"]]])
        )
        #expect(ConversationStore.estimatedTokens(parts) == 6)
    }

    /// Each turn costs 12: two messages of 8 characters, 2 + 4 tokens each.
    private func turn(_ number: Int) -> (user: ChatMessage, assistant: [ChatMessage]) {
        (.user("user #\(number)."), [.assistant("answer\(number).")])
    }

    @Test func oldestWholeTurnsAreDroppedOverTheBudget() {
        let conversations = ConversationStore(maxConversations: 4, ttlMs: 60_000, maxHistoryTokens: 30, clock: TestClock(startMs: 0))
        for number in 1...3 {
            let (user, assistant) = turn(number)
            conversations.appendTurn(id: "c", user: user, assistant: assistant)
        }
        // 36 tokens > 30: turn 1 goes, 24 remain.
        #expect(conversations.history(for: "c")?.map(\.content.text) == ["user #2.", "answer2.", "user #3.", "answer3."])

        // A tool turn of 25 tokens: 5 (user) + 8 (tool call) + 6 (tool result) + 6 (answer).
        let call = ChatMessage(role: .assistant, toolCalls: [ToolCall(id: "call_1", name: "lookup", arguments: #"{"q":"x"}"#)])
        let result = ChatMessage(role: .tool, content: .text("result"), toolCallID: "call_1")
        conversations.appendTurn(id: "c", user: .user("q"), assistant: [call, result, .assistant("answer!!")])
        // 49 → drop turn 2 (37) → drop turn 3 (25): the tool turn stays whole, its call with its result.
        #expect(conversations.history(for: "c") == [.user("q"), call, result, .assistant("answer!!")])
    }

    @Test func latestTurnIsKeptEvenWhenItAloneExceedsTheBudget() {
        let conversations = ConversationStore(maxConversations: 4, ttlMs: 60_000, maxHistoryTokens: 30, clock: TestClock(startMs: 0))
        let (user, assistant) = turn(1)
        conversations.appendTurn(id: "c", user: user, assistant: assistant)
        let long = String(repeating: "x", count: 400)
        conversations.appendTurn(id: "c", user: .user(long), assistant: [.assistant(long)])
        #expect(conversations.history(for: "c") == [.user(long), .assistant(long)])
        // The next small turn pushes the big one out.
        conversations.appendTurn(id: "c", user: user, assistant: assistant)
        #expect(conversations.history(for: "c") == [user] + assistant)
    }

    @Test func historyWithinBudgetIsKeptWhole() {
        let history = (1...5).reduce(into: ConversationHistory()) { history, number in
            let (user, assistant) = turn(number)
            history.append([user] + assistant, maxTokens: 60)
        }
        #expect(history.turns.count == 5)
        #expect(history.tokens == 60)
        #expect(history.messages.count == 10)
    }
}
