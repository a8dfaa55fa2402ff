import LLM
import Locks
import Resilience

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
        return start == 0 ? self : StoredResponse(owner: owner, messages: Array(messages[start...]))
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

/// Responses in this process' memory: at most `maxEntries` (a ring: the oldest written goes first), each for
/// `ttlMs` after it was written (an expired one is not found, and its slot is reused in turn).
///
/// Owner: the `table` lock; every method takes it once, briefly.
public final class ResponseMemoryStore: ResponseStoring {
    private struct Slot {
        var key: Key
        var response: StoredResponse
        var expiresMs: UInt64
    }

    /// An id as a fixed-size key: agentd's ids are a prefix and 24 hex digits, whose 96 bits are the key (no
    /// string is kept or hashed per entry). Any other id was never stored here.
    struct Key: Hashable {
        let high: UInt64
        let low: UInt32

        init?(_ id: String) {
            var high: UInt64 = 0, low: UInt32 = 0
            var digits = 0
            for byte in id.utf8.reversed() {
                guard digits < 24 else { break }
                let value: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
                default: return nil
                }
                if digits < 8 { low |= UInt32(value) << (4 * digits) } else { high |= UInt64(value) << (4 * (digits - 8)) }
                digits += 1
            }
            guard digits == 24, id.utf8.count > 24, id.utf8[id.utf8.index(id.utf8.endIndex, offsetBy: -25)] == UInt8(ascii: "_") else {
                return nil
            }
            self.high = high
            self.low = low
        }
    }

    private struct Table {
        var slots: [Slot?]
        /// Key → its slot in the ring.
        var index: [Key: Int] = [:]
        var next = 0
    }

    private let table: Locked<Table>
    private let ttlMs: UInt64
    private let clock: any TimeSource

    public init(ttlMs: UInt64, maxEntries: Int, clock: any TimeSource = SystemClock()) {
        self.ttlMs = ttlMs
        self.clock = clock
        table = Locked(Table(slots: Array(repeating: nil, count: max(1, maxEntries))))
    }

    public func load(_ id: String, completion: @escaping @Sendable (Result<StoredResponse?, SharedStateUnavailable>) -> Void) {
        let now = UInt64(max(0, clock.nowMs))
        guard let key = Key(id) else { return completion(.success(nil)) }
        let found = table.withLock { table -> StoredResponse? in
            guard let position = table.index[key], let slot = table.slots[position], slot.expiresMs > now else { return nil }
            return slot.response
        }
        completion(.success(found))
    }

    public func save(_ id: String, _ response: StoredResponse, completion: @escaping @Sendable (Result<Void, SharedStateUnavailable>) -> Void) {
        let expires = UInt64(max(0, clock.nowMs)) + ttlMs
        guard let key = Key(id) else {
            preconditionFailure("stored response ids are agentd's own (a prefix and 24 hex digits), not \(id)")
        }
        // The evicted response is released outside the lock.
        let evicted = table.withLock { table -> Slot? in
            if let position = table.index[key] {
                // Written again: in place (its age in the ring stays that of its first write).
                table.slots[position]?.response = response
                table.slots[position]?.expiresMs = expires
                return nil
            }
            let position = table.next
            table.next = (position + 1) % table.slots.count
            let old = table.slots[position]
            if let old { table.index[old.key] = nil }
            table.slots[position] = Slot(key: key, response: response, expiresMs: expires)
            table.index[key] = position
            return old
        }
        _ = evicted
        completion(.success(()))
    }
}
