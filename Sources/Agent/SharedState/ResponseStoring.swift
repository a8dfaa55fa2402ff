import LLM
import Locks

/// A stored Responses API response: who made it and the whole exchange up to it (the input of every response
/// in its chain and every output), which `previous_response_id` continues.
public struct StoredResponse: Sendable, Equatable {
    /// The API key name that made it ("" when no keys are configured: anyone may continue it).
    public var owner: String
    public var messages: [ChatMessage]

    public init(owner: String, messages: [ChatMessage]) {
        self.owner = owner
        self.messages = messages
    }

    /// The newest messages within `maxTokens` (by `ConversationStore.estimatedTokens`), never starting with a
    /// tool result whose call was dropped; the last message is always kept.
    public func pruned(maxTokens: Int) -> StoredResponse {
        var total = messages.reduce(0) { $0 + ConversationStore.estimatedTokens($1) }
        var start = 0
        while total > maxTokens && start < messages.count - 1 {
            total -= ConversationStore.estimatedTokens(messages[start])
            start += 1
        }
        while start < messages.count - 1 && messages[start].role == .tool { start += 1 }
        return StoredResponse(owner: owner, messages: Array(messages[start...]))
    }
}

/// Where `/v1/responses` keeps responses for `previous_response_id`: in memory, or in Redis so any replica
/// continues any response. Kept like conversations: `AGENTD_CONVERSATION_TTL_S` from their last write, histories
/// within `AGENTD_CONVERSATION_MAX_TOKENS`. Completions run once, on the thread that finished the operation.
public protocol ResponseStoring: Sendable {
    /// The response `id`; `.success(nil)` when unknown or expired.
    func load(_ id: String, completion: @escaping @Sendable (Result<StoredResponse?, SharedStateUnavailable>) -> Void)
    func save(_ id: String, _ response: StoredResponse, completion: @escaping @Sendable (Result<Void, SharedStateUnavailable>) -> Void)
}

/// Responses in this process' memory: at most `maxEntries` (the oldest written goes first), each for `ttlMs`.
///
/// Owner: the `entries` lock; every method takes it once, briefly.
public final class ResponseMemoryStore: ResponseStoring {
    private struct Table {
        var entries: [String: (response: StoredResponse, expiresMs: UInt64, serial: UInt64)] = [:]
        /// Writes in order, for eviction (an id written twice appears twice; the earlier write is stale).
        var order: [(id: String, serial: UInt64)] = []
        var head = 0
        var serial: UInt64 = 0
    }

    private let table = Locked(Table())
    private let ttlMs: UInt64
    private let maxEntries: Int
    private let clock: @Sendable () -> UInt64

    public init(ttlMs: UInt64, maxEntries: Int, clock: @escaping @Sendable () -> UInt64 = ConversationStore.monotonicNowMs) {
        self.ttlMs = ttlMs
        self.maxEntries = max(1, maxEntries)
        self.clock = clock
    }

    public func load(_ id: String, completion: @escaping @Sendable (Result<StoredResponse?, SharedStateUnavailable>) -> Void) {
        let now = clock()
        let found = table.withLock { table -> StoredResponse? in
            guard let entry = table.entries[id], entry.expiresMs > now else { return nil }
            return entry.response
        }
        completion(.success(found))
    }

    public func save(_ id: String, _ response: StoredResponse, completion: @escaping @Sendable (Result<Void, SharedStateUnavailable>) -> Void) {
        let now = clock()
        let expires = now + ttlMs
        table.withLock { table in
            table.serial += 1
            table.entries[id] = (response, expires, table.serial)
            table.order.append((id, table.serial))
            // The oldest writes go: stale and expired ones, then any past the bound.
            while table.head < table.order.count {
                let oldest = table.order[table.head]
                let current = table.entries[oldest.id]
                let stale = current == nil || current!.serial != oldest.serial
                guard stale || current!.expiresMs <= now || table.entries.count > maxEntries else { break }
                if !stale { table.entries[oldest.id] = nil }
                table.head += 1
            }
            if table.head > 1024 && table.head * 2 > table.order.count {
                table.order.removeFirst(table.head)
                table.head = 0
            }
        }
        completion(.success(()))
    }
}
