import Agent
import LLM
import Locks
import Resilience
import Testing

/// Stored Responses API responses in memory: kept for the TTL, at most the bound (the oldest written go first),
/// and histories pruned to the token budget without a dangling tool result.
@Suite("stored responses in memory")
struct ResponseMemoryStoreTests {
    /// Ids as agentd makes them: a prefix and 24 hex digits.
    static let a = "resp_00000000000000000000000a", b = "resp_00000000000000000000000b"
    static let c = "resp_00000000000000000000000c", d = "resp_00000000000000000000000d"

    static func load(_ store: ResponseMemoryStore, _ id: String) -> StoredResponse? {
        let found = Locked<StoredResponse?>(nil)
        store.load(id) { result in found.withLock { $0 = try? result.get() } }
        return found.withLock { $0 }
    }

    static func save(_ store: ResponseMemoryStore, _ id: String, _ text: String) {
        store.save(id, StoredResponse(owner: "k", messages: [.user(text)])) { _ in }
    }

    @Test("a response expires after the TTL; past the bound the oldest written goes first (a rewrite keeps its place)")
    func ttlAndBound() {
        let clock = ManualClock(startMs: 1_000)
        let store = ResponseMemoryStore(ttlMs: 100, maxEntries: 2, clock: clock)
        Self.save(store, Self.a, "1")
        Self.save(store, Self.b, "2")
        #expect(Self.load(store, Self.a)?.messages == [.user("1")] && Self.load(store, Self.a)?.owner == "k")
        Self.save(store, Self.c, "3")
        #expect(Self.load(store, Self.a) == nil && Self.load(store, Self.b) != nil && Self.load(store, Self.c) != nil)
        Self.save(store, Self.b, "2 again")  // rewritten in place: still the oldest
        #expect(Self.load(store, Self.b)?.messages == [.user("2 again")])
        Self.save(store, Self.d, "4")
        #expect(Self.load(store, Self.b) == nil && Self.load(store, Self.c) != nil && Self.load(store, Self.d) != nil)
        clock.advance(byMs: 100)
        #expect(Self.load(store, Self.c) == nil && Self.load(store, Self.d) == nil)
    }

    @Test("an id that is not agentd's (a prefix and 24 hex digits) was never stored")
    func foreignIDs() {
        let store = ResponseMemoryStore(ttlMs: 1000, maxEntries: 4)
        Self.save(store, "resp_0123456789abcdef01234567", "x")
        #expect(Self.load(store, "resp_0123456789abcdef01234567") != nil)
        for id in ["resp_0123456789abcdef0123456", "resp_0123456789ABCDEF01234567", "resp-0123456789abcdef01234567", "", "resp_x"] {
            #expect(Self.load(store, id) == nil, "\(id)")
        }
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
