extension RateLimiter {
    /// One shard's buckets by key, with the eviction that keeps it within `maxKeys`.
    ///
    /// A plain value with no lock: its `RateLimiter` owns each instance behind a `Locked`.
    ///
    /// Eviction runs only when a new key arrives at a full shard, in two steps:
    /// 1. Every bucket that has refilled to full by now is dropped. This loses nothing: a full bucket is
    ///    indistinguishable from the new one its client gets when it returns. Under the default limits
    ///    (docs/configuration.md: burst 20 at 10 per second) any client idle for 2 s is such a bucket.
    /// 2. If more than `targetKeys` (three quarters of `maxKeys`) are left, the least recently touched buckets
    ///    are dropped down to `targetKeys`. Every request touches its key's bucket, refused ones included.
    ///    A dropped bucket that was not full is forgotten: its client starts again with a full bucket.
    ///
    /// Why step 2 lets no limited client escape its limit in a way that matters: a client that keeps sending is
    /// touched by each request, so its bucket is among the most recent; it can be dropped only when at least
    /// `targetKeys` other keys, each new or not, reach the same shard between two of its requests (with the
    /// defaults, 49,152 keys in its shard, some 786,000 in all). What it gains then is one burst, and each of
    /// those other keys received a full burst too, so churning keys yields no more than owning many keys does.
    ///
    /// Cost: a sweep is O(n log n) in the shard's size (it sorts touch stamps), and it leaves room for at least
    /// `maxKeys / sweepHeadroomDivisor` new keys before the next one, so a new key costs amortised O(log n) and
    /// a known key O(1).
    struct Shard: Sendable {
        struct Entry: Sendable {
            var bucket: TokenBucket
            /// The shard's touch counter at this key's latest request: a strict recency order, which the
            /// clock cannot give (many requests share a millisecond).
            var lastTouch: UInt64
        }

        /// A sweep leaves the shard at most `maxKeys - maxKeys / sweepHeadroomDivisor` full.
        static let sweepHeadroomDivisor = 4

        let maxKeys: Int
        /// The most buckets left after a sweep: below `maxKeys`, so the new key fits, with headroom.
        let targetKeys: Int
        private var entries: [String: Entry] = [:]
        private var touchCount: UInt64 = 0

        init(maxKeys: Int) {
            self.maxKeys = maxKeys
            targetKeys = min(maxKeys - 1, maxKeys - maxKeys / Shard.sweepHeadroomDivisor)
        }

        var count: Int { entries.count }

        mutating func acquire(_ key: String, nowMs: Int64, ratePerSecond: Double, burst: Int) -> RateDecision {
            touchCount &+= 1
            // The extra lookup happens only when the shard is full; otherwise one hashing of the key is all.
            if entries.count >= maxKeys, entries[key] == nil {
                evict(nowMs: nowMs, ratePerSecond: ratePerSecond, burst: burst)
            }
            return Shard.decide(
                &entries[key, default: Entry(bucket: TokenBucket(burst: burst, nowMs: nowMs), lastTouch: 0)],
                touch: touchCount,
                nowMs: nowMs,
                ratePerSecond: ratePerSecond,
                burst: burst
            )
        }

        private static func decide(
            _ entry: inout Entry,
            touch: UInt64,
            nowMs: Int64,
            ratePerSecond: Double,
            burst: Int
        ) -> RateDecision {
            entry.lastTouch = touch
            let allowed = entry.bucket.take(nowMs: nowMs, ratePerSecond: ratePerSecond, burst: burst)
            return RateDecision(
                allowed: allowed,
                limit: burst,
                remaining: entry.bucket.wholeTokens,
                retryAfterMs: allowed ? 0 : entry.bucket.waitMsForOneToken(ratePerSecond: ratePerSecond)
            )
        }

        /// Drops the buckets full by `nowMs`, then the least recently touched down to `targetKeys`.
        private mutating func evict(nowMs: Int64, ratePerSecond: Double, burst: Int) {
            entries = entries.filter { _, entry in
                !entry.bucket.isFull(nowMs: nowMs, ratePerSecond: ratePerSecond, burst: burst)
            }
            let excess = entries.count - targetKeys
            guard excess > 0 else { return }
            var touches = entries.values.map(\.lastTouch)
            touches.sort()
            // Touch stamps are unique, so exactly `excess` entries are at or below the cutoff.
            let cutoff = touches[excess - 1]
            entries = entries.filter { _, entry in entry.lastTouch > cutoff }
        }
    }
}
