import Locks
import Redis

/// Budget settlements on their way to Redis, sent in batches: the next admission takes them along in its own
/// script (`RedisAdmission`), or else every reservation that ended in the same pass of an event loop is
/// settled by one script at the end of that pass (`RedisClient.atEndOfPass`): under load, no round trip of
/// their own.
///
/// Owner: `pending` (a lock). A settlement is never needed for a response (the client already has its
/// answer), so the short delay costs nothing but keeps a hold a moment longer, which errs on the safe side of
/// the budget. A batch that cannot reach Redis is lost; its holds then expire on their own
/// (`RedisAdmission.reservationLifetimeMs`), and the tokens it would have charged go uncounted.
final class SettlementBatch: Sendable {
    struct Item: Sendable {
        /// The day's budget hash.
        let usage: String
        /// The minute the hold expires (its field `h:<minute>`).
        let expiryMinute: Int
        let held: Int
        let used: Int
    }

    /// A batch this large goes at once (one script's KEYS and ARGV stay small).
    static let maxItems = 128

    private let client: RedisClient
    private let pending = Locked<[Item]>([])

    init(client: RedisClient) { self.client = client }

    func add(_ item: Item) {
        let (first, full) = pending.withLock { pending -> (Bool, Bool) in
            pending.append(item)
            return (pending.count == 1, pending.count >= SettlementBatch.maxItems)
        }
        if full {
            flush()
        } else if first {
            client.atEndOfPass { self.flush() }
        }
    }

    /// Takes every waiting settlement, for a caller that sends them itself (the admission script carries them),
    /// summed per budget hash and expiry minute: the holds of one key that expire in one minute are released
    /// by one set of increments in Redis, however many calls they stood for.
    func take() -> [Item] {
        let items = pending.withLock { pending -> [Item] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        guard items.count > 1 else { return items }
        var order: [String] = []
        var sums: [String: Item] = [:]
        for item in items {
            let group = item.usage + "\u{0}" + String(item.expiryMinute)
            if let sum = sums[group] {
                sums[group] = Item(usage: sum.usage, expiryMinute: sum.expiryMinute, held: sum.held + item.held, used: sum.used + item.used)
            } else {
                order.append(group)
                sums[group] = item
            }
        }
        return order.compactMap { sums[$0] }
    }

    func flush() {
        let items = take()
        guard !items.isEmpty else { return }
        var keys: [String] = []
        var arguments: [String] = []
        keys.reserveCapacity(items.count)
        arguments.reserveCapacity(items.count * 3)
        for item in items {
            keys.append(item.usage)
            arguments += [String(item.expiryMinute), String(item.held), String(item.used)]
        }
        client.run(RedisScripts.settle, keys: keys, arguments: arguments, operation: "budget_settle") { _ in }
    }
}
