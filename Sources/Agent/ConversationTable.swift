import LLM

/// The conversations by id, in order of last use, with LRU eviction and lazy TTL expiry.
///
/// A plain value with no lock: `ConversationStore` owns the one instance, behind its `Mutex`. Entries form
/// a doubly linked list through their ids, least recently used first. Because expiry is by last use too,
/// the same list orders both: the expired entries are always at its head, so purging pops from the head and
/// stops at the first live one, and each entry is popped at most once after being inserted (O(1)
/// amortised, no timer). Times are the store's clock in milliseconds, never allowed to run backwards here
/// (a stamp is at least the latest one seen), so the list stays sorted by last use.
struct ConversationTable: Sendable {
    private struct Entry: Sendable {
        var history: ConversationHistory
        var lastUsedMs: UInt64
        /// The next less recently used entry, toward the head; nil for the head.
        var older: String?
        /// The next more recently used entry, toward the tail; nil for the tail.
        var newer: String?
    }

    let maxConversations: Int
    let ttlMs: UInt64
    let maxHistoryTokens: Int

    private var entries: [String: Entry] = [:]
    /// Least recently used: the next to expire or be evicted.
    private var oldest: String?
    private var newest: String?
    private var latestMs: UInt64 = 0

    init(maxConversations: Int, ttlMs: UInt64, maxHistoryTokens: Int) {
        self.maxConversations = maxConversations
        self.ttlMs = ttlMs
        self.maxHistoryTokens = maxHistoryTokens
    }

    /// The conversations stored, expired ones included until the next purge.
    var count: Int { entries.count }

    func contains(_ id: String) -> Bool { entries[id] != nil }

    /// Purges what expired by `nowMs` and answers how many conversations are live.
    mutating func liveCount(nowMs: UInt64) -> Int {
        purgeExpired(nowMs: advance(to: nowMs))
        return entries.count
    }

    /// The history of `id` when it is live at `nowMs`, marking it used; nil when unknown or expired.
    mutating func use(_ id: String, nowMs: UInt64) -> ConversationHistory? {
        let now = advance(to: nowMs)
        purgeExpired(nowMs: now)
        guard let entry = entries[id] else { return nil }
        unlink(id)
        link(id, history: entry.history, nowMs: now)
        return entry.history
    }

    /// Appends a turn to `id`, creating the conversation when it is not (or no longer) there, and marks it used.
    ///
    /// Expired conversations are purged first, so eviction takes a live one only when it must: a new
    /// conversation that would exceed `maxConversations` evicts the least recently used.
    mutating func append(_ turn: [ChatMessage], to id: String, nowMs: UInt64) {
        let now = advance(to: nowMs)
        purgeExpired(nowMs: now)
        var history = ConversationHistory()
        if entries[id] != nil {
            unlink(id)
            // Taken out of the dictionary so the history is uniquely referenced and grows in place.
            history = entries.removeValue(forKey: id)!.history
        } else {
            while entries.count >= maxConversations, let victim = oldest { remove(victim) }
        }
        history.append(turn, maxTokens: maxHistoryTokens)
        link(id, history: history, nowMs: now)
    }

    /// `nowMs`, or the latest time seen when the clock stepped back, so last-use stamps never decrease.
    private mutating func advance(to nowMs: UInt64) -> UInt64 {
        latestMs = max(latestMs, nowMs)
        return latestMs
    }

    /// Drops every conversation unused for more than `ttlMs` at `nowMs` (never before the latest stamp).
    private mutating func purgeExpired(nowMs: UInt64) {
        while let id = oldest, let entry = entries[id], nowMs - entry.lastUsedMs > ttlMs {
            remove(id)
        }
    }

    /// The ids from least to most recently used; for tests and invariant checks, O(n).
    var idsByLastUse: [String] {
        var ids: [String] = []
        var cursor = oldest
        while let id = cursor {
            ids.append(id)
            cursor = entries[id]?.newer
        }
        return ids
    }

    /// Stores `id` as the most recently used entry.
    private mutating func link(_ id: String, history: ConversationHistory, nowMs: UInt64) {
        entries[id] = Entry(history: history, lastUsedMs: nowMs, older: newest, newer: nil)
        if let previous = newest { entries[previous]?.newer = id } else { oldest = id }
        newest = id
    }

    /// Takes `id` out of the list, leaving its entry in the dictionary for the caller to replace or drop.
    private mutating func unlink(_ id: String) {
        guard let entry = entries[id] else { return }
        if let older = entry.older { entries[older]?.newer = entry.newer } else { oldest = entry.newer }
        if let newer = entry.newer { entries[newer]?.older = entry.older } else { newest = entry.older }
    }

    private mutating func remove(_ id: String) {
        unlink(id)
        entries[id] = nil
    }
}
