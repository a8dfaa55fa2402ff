import Agent
import LLM
import Locks
import Testing

/// Stored Responses API responses in memory: kept for the TTL, at most the bound (the oldest written go first),
/// and histories pruned to the token budget without a dangling tool result.
@Suite("stored responses in memory")
struct ResponseMemoryStoreTests {
    static func load(_ store: ResponseMemoryStore, _ id: String) -> StoredResponse? {
        let found = Locked<StoredResponse?>(nil)
        store.load(id) { result in found.withLock { $0 = try? result.get() } }
        return found.withLock { $0 }
    }

    static func save(_ store: ResponseMemoryStore, _ id: String, _ text: String) {
        store.save(id, StoredResponse(owner: "k", messages: [.user(text)])) { _ in }
    }

    @Test("a response expires after the TTL; past the bound the oldest written goes first")
    func ttlAndBound() {
        let now = Locked<UInt64>(1_000)
        let store = ResponseMemoryStore(ttlMs: 100, maxEntries: 2, clock: { now.withLock { $0 } })
        Self.save(store, "a", "1")
        Self.save(store, "b", "2")
        #expect(Self.load(store, "a")?.messages == [.user("1")] && Self.load(store, "a")?.owner == "k")
        Self.save(store, "c", "3")
        #expect(Self.load(store, "a") == nil && Self.load(store, "b") != nil && Self.load(store, "c") != nil)
        Self.save(store, "b", "2 again")  // rewritten: its first write is stale, not the oldest
        Self.save(store, "d", "4")
        #expect(Self.load(store, "c") == nil && Self.load(store, "b")?.messages == [.user("2 again")])
        now.withLock { $0 += 100 }
        #expect(Self.load(store, "b") == nil && Self.load(store, "d") == nil)
    }

    @Test("pruning keeps the newest messages within the budget and never starts with a tool result")
    func pruning() {
        let long = String(repeating: "x", count: 400)  // about 104 tokens each
        let response = StoredResponse(owner: "", messages: [
            .user(long), ChatMessage(role: .assistant, content: .text(""), toolCalls: [ToolCall(id: "c", name: "f", arguments: "{}")]),
            ChatMessage(role: .tool, content: .text(long), toolCallID: "c"), .assistant(long), .user("last"),
        ])
        let pruned = response.pruned(maxTokens: 150)
        #expect(pruned.messages == [.assistant(long), .user("last")])
        #expect(response.pruned(maxTokens: 1).messages == [.user("last")])
        #expect(response.pruned(maxTokens: 100_000) == response)
    }
}
