@testable import Agent
import JSON
import LLM
import Testing

/// Conversations: fresh ids, nothing stored for a failed turn, LRU eviction, TTL expiry on a driven clock,
/// and pruning by whole turns.
@Suite struct ConversationStoreTests {
    private func store(max: Int = 10, ttlMs: UInt64 = 60_000, tokens: Int = 10_000, clock: TestClock = TestClock()) -> ConversationStore {
        ConversationStore(maxConversations: max, ttlMs: ttlMs, maxHistoryTokens: tokens, clock: clock)
    }

    private func isFreshID(_ id: String) -> Bool {
        id.hasPrefix("conv_") && id.utf8.count == 29
            && id.utf8.dropFirst(5).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    @Test func missingOrUnknownIDGetsAFreshOneAndStoresNothing() {
        let conversations = store()
        let first = conversations.begin(id: nil)
        let second = conversations.begin(id: "conv_000000000000000000000000")
        #expect(isFreshID(first.id) && isFreshID(second.id))
        #expect(first.id != second.id && second.id != "conv_000000000000000000000000")
        #expect(first.history.isEmpty && second.history.isEmpty)
        #expect(conversations.count == 0)
    }

    @Test func failedTurnLeavesNoTrace() {
        let conversations = store()
        let started = conversations.begin(id: nil)
        // The upstream failed: appendTurn is never called.
        #expect(conversations.history(for: started.id) == nil)
        #expect(conversations.count == 0)
        #expect(conversations.begin(id: started.id).id != started.id)
    }

    @Test func sendingTheIDBackContinuesTheConversation() {
        let conversations = store()
        let started = conversations.begin(id: nil)
        conversations.appendTurn(id: started.id, user: .user("hello"), assistant: [.assistant("echo: hello")])
        let continued = conversations.begin(id: started.id)
        #expect(continued.id == started.id)
        #expect(continued.history == [.user("hello"), .assistant("echo: hello")])
        conversations.appendTurn(id: started.id, user: .user("again"), assistant: [.assistant("echo: again")])
        #expect(conversations.history(for: started.id)?.map(\.content.text) == ["hello", "echo: hello", "again", "echo: again"])
        #expect(conversations.count == 1)
    }

    @Test func leastRecentlyUsedIsEvictedAndTouchingKeepsIt() {
        let clock = TestClock()
        let conversations = store(max: 3, clock: clock)
        for id in ["a", "b", "c"] {
            conversations.appendTurn(id: id, user: .user(id), assistant: [.assistant(id)])
            clock.advance(byMs: 1)
        }
        #expect(conversations.history(for: "a") != nil)  // a is now the most recently used
        clock.advance(byMs: 1)
        conversations.appendTurn(id: "d", user: .user("d"), assistant: [])
        #expect(conversations.idsByLastUse == ["c", "a", "d"])
        #expect(conversations.history(for: "b") == nil)

        _ = conversations.begin(id: "c")  // begin with a known id is a use too
        conversations.appendTurn(id: "e", user: .user("e"), assistant: [])
        #expect(conversations.idsByLastUse == ["d", "c", "e"])  // a went: c was used after it
        #expect(conversations.count == 3)
    }

    @Test func appendingToAKnownConversationEvictsNothing() {
        let conversations = store(max: 2)
        conversations.appendTurn(id: "a", user: .user("1"), assistant: [])
        conversations.appendTurn(id: "b", user: .user("2"), assistant: [])
        conversations.appendTurn(id: "a", user: .user("3"), assistant: [])
        #expect(conversations.idsByLastUse == ["b", "a"])
    }

    @Test func unusedConversationExpiresAfterTTLAndUseRefreshesIt() {
        let clock = TestClock()
        let conversations = store(ttlMs: 1_000, clock: clock)
        conversations.appendTurn(id: "a", user: .user("hi"), assistant: [.assistant("hello")])
        clock.advance(byMs: 1_000)  // exactly the TTL: still live
        #expect(conversations.history(for: "a")?.count == 2)
        clock.advance(byMs: 1_000)  // a TTL since that use
        #expect(conversations.begin(id: "a").id == "a")
        clock.advance(byMs: 1_001)
        #expect(conversations.history(for: "a") == nil)
        #expect(conversations.count == 0)
        #expect(conversations.begin(id: "a").id != "a")
    }

    @Test func expiredConversationsArePurgedOnInsertBeforeAnyEviction() {
        let clock = TestClock()
        let conversations = store(max: 2, ttlMs: 1_000, clock: clock)
        conversations.appendTurn(id: "old", user: .user("1"), assistant: [])
        clock.advance(byMs: 500)
        conversations.appendTurn(id: "live", user: .user("2"), assistant: [])
        clock.advance(byMs: 700)
        #expect(conversations.idsByLastUse == ["old", "live"])  // not purged until something is accessed
        conversations.appendTurn(id: "new", user: .user("3"), assistant: [])
        #expect(conversations.idsByLastUse == ["live", "new"])
    }

    @Test func turnAppendedAfterExpiryStartsAgainUnderTheSameID() {
        let clock = TestClock()
        let conversations = store(ttlMs: 1_000, clock: clock)
        conversations.appendTurn(id: "a", user: .user("first"), assistant: [.assistant("one")])
        clock.advance(byMs: 5_000)
        conversations.appendTurn(id: "a", user: .user("second"), assistant: [.assistant("two")])
        #expect(conversations.history(for: "a") == [.user("second"), .assistant("two")])
    }

    @Test func clockSteppingBackNeitherExpiresNorTraps() {
        let clock = TestClock(startMs: 10_000)
        let conversations = ConversationStore(maxConversations: 4, ttlMs: 1_000, maxHistoryTokens: 100, clock: clock)
        conversations.appendTurn(id: "a", user: .user("x"), assistant: [])
        let early = ConversationStore(maxConversations: 4, ttlMs: 1_000, maxHistoryTokens: 100, clock: TestClock(startMs: 0))
        early.appendTurn(id: "b", user: .user("x"), assistant: [])
        #expect(conversations.history(for: "a") != nil && early.history(for: "b") != nil)
    }
}
