#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LLM
import Synchronization
import Locks
import Resilience

/// The server's conversations: the history `/chat` replays when a client sends its `conversation_id` back.
///
/// Owner: one `Mutex` around a `ConversationTable`; every method takes it once, briefly, and calls the
/// clock under it (so the clock must be cheap and must not call back into the store). Safe from any thread.
///
/// docs/api.md, POST /chat: an unknown, expired or missing id starts a new conversation with a fresh id (`begin`),
/// and nothing is stored until the turn completes (`appendTurn`), so a failed turn leaves no trace.
/// Bounded three ways: at most `maxConversations` (a new one evicts the least recently used), none unused
/// for more than `ttlMs` (purged lazily on access and on insert, no timer thread), and each history within
/// `maxHistoryTokens` by `estimatedTokens` (whole turns are dropped from the oldest, the latest always kept).
/// The system prompt is never stored: the agent profile's (or the request's) is prepended to every request,
/// which is how it survives any pruning. Message content is never logged here.
public final class ConversationStore: Sendable {
    public let maxConversations: Int
    public let ttlMs: UInt64
    public let maxHistoryTokens: Int

    private let table: Locked<ConversationTable>
    private let clock: any TimeSource

    /// `clock`: the monotonic time TTLs are measured on; tests pass one they drive (`ManualClock`).
    public init(
        maxConversations: Int, ttlMs: UInt64, maxHistoryTokens: Int, clock: any TimeSource = SystemClock()
    ) {
        precondition(maxConversations >= 1, "maxConversations must be at least 1: a conversation must fit to be continued")
        precondition(ttlMs >= 1, "ttlMs must be at least 1 ms: a conversation must outlive the turn that made it")
        precondition(maxHistoryTokens >= 1, "maxHistoryTokens must be at least 1 (the latest turn is kept whatever its size)")
        self.maxConversations = maxConversations
        self.ttlMs = ttlMs
        self.maxHistoryTokens = maxHistoryTokens
        self.clock = clock
        table = Locked(ConversationTable(maxConversations: maxConversations, ttlMs: ttlMs, maxHistoryTokens: maxHistoryTokens))
    }

    /// The messages of conversation `id`, oldest first, marking it used; nil when unknown or expired.
    public func history(for id: String) -> [ChatMessage]? {
        let history = table.withLock { table in table.use(id, nowMs: nowMs) }
        // Flattened outside the lock: the history is a value, already copied out.
        return history?.messages
    }

    /// Starts a turn: a known `id` returns it with its history (marking it used); an unknown, expired or
    /// missing one gets a fresh id and an empty history.
    ///
    /// A fresh conversation is not stored yet: `appendTurn` stores it when the turn completes.
    public func begin(id: String?) -> (id: String, history: [ChatMessage]) {
        if let id, let history = history(for: id) {
            return (id, history)
        }
        var fresh = Self.makeID()
        // 96 random bits make a collision a theoretical event; the check makes it a harmless one.
        while table.withLock({ $0.contains(fresh) }) { fresh = Self.makeID() }
        return (fresh, [])
    }

    /// Stores a completed turn of conversation `id` (the id `begin` returned): the user's message and what
    /// the assistant produced for it (tool-call messages, tool results, the answer), then prunes whole turns
    /// from the oldest while the history exceeds `maxHistoryTokens`, always keeping this turn.
    ///
    /// Call it only after the turn succeeded. When `id` expired or was evicted meanwhile, the conversation
    /// starts again from this turn under the same id (the client was already given it).
    public func appendTurn(id: String, user: ChatMessage, assistant: [ChatMessage]) {
        precondition(user.role == .user, "appendTurn(user:) takes the turn's user message; the system prompt is never stored")
        precondition(
            assistant.allSatisfy { $0.role == .assistant || $0.role == .tool },
            "appendTurn(assistant:) takes assistant and tool messages only: a user message starts the next turn, "
                + "and the system prompt is prepended per request from the agent profile"
        )
        let turn = [user] + assistant
        table.withLock { table in table.append(turn, to: id, nowMs: nowMs) }
    }

    /// The live conversations (expired ones are purged first); the `agentd_conversations` gauge.
    public var count: Int {
        table.withLock { table in table.liveCount(nowMs: nowMs) }
    }

    /// The ids from least to most recently used, without purging or touching; for tests.
    var idsByLastUse: [String] {
        table.withLock { $0.idsByLastUse }
    }

    /// `conv_` and 24 lower-case hex digits (96 bits) from the system's random source.
    public static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt32
        return "conv_" + hex(high, digits: 16) + hex(UInt64(low), digits: 8)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: digits - text.utf8.count) + text
    }

    /// The clock's reading as the table's unsigned milliseconds (a reading below 0 counts as 0).
    private var nowMs: UInt64 { UInt64(max(0, clock.nowMs)) }
}
