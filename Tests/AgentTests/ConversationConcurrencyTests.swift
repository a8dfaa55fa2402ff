@testable import Agent
import Dispatch
import LLM
import Synchronization
import Testing
import Locks

/// Many threads beginning, continuing and reading conversations at once: the bounds hold throughout.
@Suite struct ConversationConcurrencyTests {
    @Test func boundsHoldUnderConcurrentUse() {
        let maxConversations = 16
        let maxHistoryTokens = 40
        // Each read moves time 1 ms, so conversations also expire while the threads run.
        let clock = TestClock(tickMs: 1)
        let conversations = ConversationStore(
            maxConversations: maxConversations, ttlMs: 400, maxHistoryTokens: maxHistoryTokens, clock: clock
        )
        let violations = Locked<[String]>([])
        let turns = Atomic<Int>(0)
        let mostSeen = Locked<Int>(0)

        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var current: String?
            for iteration in 0..<500 {
                // Continue the thread's conversation four times in five, start a new one otherwise.
                let started = conversations.begin(id: iteration % 5 == 0 ? nil : current)
                let history = started.history
                let wholeTurns = history.count % 2 == 0 && stride(from: 0, to: history.count, by: 2).allSatisfy { history[$0].role == .user }
                let tokens = history.reduce(0) { $0 + ConversationStore.estimatedTokens($1) }
                if !wholeTurns || (history.count > 2 && tokens > maxHistoryTokens) {
                    violations.withLock { $0.append("thread \(thread): history \(history.count) messages, \(tokens) tokens") }
                }
                conversations.appendTurn(id: started.id, user: .user("t\(thread) i\(iteration)"), assistant: [.assistant("ok")])
                turns.add(1, ordering: .relaxed)
                current = started.id
                let count = conversations.count
                mostSeen.withLock { $0 = max($0, count) }
                if count > maxConversations {
                    violations.withLock { $0.append("thread \(thread): \(count) conversations") }
                }
            }
        }

        #expect(violations.withLock { $0 } == [])
        #expect(turns.load(ordering: .relaxed) == 4_000)
        // New conversations outpace expiry, so the limit was reached and eviction ran.
        #expect(mostSeen.withLock { $0 } == maxConversations)
        let ids = conversations.idsByLastUse
        #expect(ids.count <= maxConversations)
        #expect(Set(ids).count == ids.count)
        #expect(conversations.count == ids.count)
    }
}
