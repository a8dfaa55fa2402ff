/// The stored answers of a `ResponseCache`: at most `maxEntries`, the least recently used leaving first.
///
/// Owner: the `ResponseCache`'s lock; this is a plain value with no lock of its own and no clock (the caller
/// passes the time). Every operation is O(1): a dictionary from key to slot index, and the slots doubly
/// linked by index in order of use (head the most recent, tail the least). A freed slot is reused, so the
/// slot array never grows past `maxEntries`, and its value is released at once (a slot is an optional).
///
/// Expired entries leave when asked for (`value(for:nowMs:)`) and by eviction: an entry nobody asks for
/// again drifts to the tail and is the next one evicted, so no timer or sweep is needed.
struct ResponseCacheTable<Value> {
    private struct Slot {
        let key: ResponseCacheKey
        var value: Value
        var expiresAtMs: Int64
        /// Index of the next more recently used slot, or `none`.
        var newer: Int
        /// Index of the next less recently used slot, or `none`.
        var older: Int
    }

    private static var none: Int { -1 }

    let maxEntries: Int
    private var indexByKey: [ResponseCacheKey: Int] = [:]
    private var slots: [Slot?] = []
    private var freeSlots: [Int] = []
    private var head = ResponseCacheTable.none
    private var tail = ResponseCacheTable.none

    init(maxEntries: Int) {
        precondition(maxEntries >= 1, "maxEntries must be at least 1 (AGENTD_CACHE_MAX_ENTRIES); turn the cache off with a ttl of 0")
        self.maxEntries = maxEntries
    }

    /// Stored entries, expired ones not yet dropped included.
    var count: Int { indexByKey.count }

    /// The fresh value for `key`, marking it the most recently used; an expired one is dropped, and nil returned.
    mutating func value(for key: ResponseCacheKey, nowMs: Int64) -> Value? {
        guard let index = indexByKey[key], let slot = slots[index] else { return nil }
        guard nowMs < slot.expiresAtMs else {
            remove(at: index)
            return nil
        }
        moveToHead(index)
        return slot.value
    }

    /// Stores `value` for `key` until `expiresAtMs`, as the most recently used; evicts the least recently
    /// used entry first when the table is full.
    mutating func store(_ value: Value, for key: ResponseCacheKey, expiresAtMs: Int64) {
        if let index = indexByKey[key] {
            slots[index]!.value = value
            slots[index]!.expiresAtMs = expiresAtMs
            moveToHead(index)
            return
        }
        if indexByKey.count >= maxEntries, tail != Self.none {
            remove(at: tail)
        }
        let slot = Slot(key: key, value: value, expiresAtMs: expiresAtMs, newer: Self.none, older: Self.none)
        let index: Int
        if let free = freeSlots.popLast() {
            index = free
            slots[index] = slot
        } else {
            index = slots.count
            slots.append(slot)
        }
        indexByKey[key] = index
        linkAtHead(index)
    }

    /// The keys from the most to the least recently used, for tests.
    var keysByRecency: [String] {
        var keys: [String] = []
        var index = head
        while index != Self.none, let slot = slots[index] {
            keys.append(slot.key.text)
            index = slot.older
        }
        return keys
    }

    private mutating func remove(at index: Int) {
        guard let slot = slots[index] else { return }
        unlink(index)
        indexByKey[slot.key] = nil
        slots[index] = nil
        freeSlots.append(index)
    }

    private mutating func moveToHead(_ index: Int) {
        guard index != head else { return }
        unlink(index)
        linkAtHead(index)
    }

    private mutating func linkAtHead(_ index: Int) {
        slots[index]!.newer = Self.none
        slots[index]!.older = head
        if head != Self.none { slots[head]!.newer = index }
        head = index
        if tail == Self.none { tail = index }
    }

    private mutating func unlink(_ index: Int) {
        let newer = slots[index]!.newer
        let older = slots[index]!.older
        if newer != Self.none { slots[newer]!.older = older } else { head = older }
        if older != Self.none { slots[older]!.newer = newer } else { tail = newer }
        slots[index]!.newer = Self.none
        slots[index]!.older = Self.none
    }
}
