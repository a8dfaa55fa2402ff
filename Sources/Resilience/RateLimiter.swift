import Locks

/// Per-client rate limiting: one `TokenBucket` per key (the API key's name, or the client IP without auth).
///
/// Owner of the mutable state: each shard's `Locked` struct of buckets; the limiter itself holds only `let`s.
/// A key hashes to one of `shardCount` shards, so concurrent requests from different clients rarely wait on the
/// same lock, and there is no global lock on the hot path. The hash is Swift's per-process seeded `Hasher`, so
/// a client cannot choose keys that all land in one shard. A decision is O(1): one lookup, a lazy refill, a
/// subtraction; the clock is read once, outside the lock.
///
/// Memory is bounded: a shard never holds more than `maxKeysPerShard` buckets, whatever the number of distinct
/// keys (see `RateLimiter+Shard.swift` for the eviction rules and why they let no limited client escape its
/// limit in a way that matters).
///
/// A rate of 0 or less means "no limit": every request is allowed, reported with `remaining == burst`, and no
/// bucket is kept. The documented defaults (docs/configuration.md; docs/api.md, "Rate limits and budgets") are
/// `defaultRatePerSecond` (AGENTD_RATE_LIMIT_RPS) and `defaultBurst` (AGENTD_RATE_LIMIT_BURST).
public final class RateLimiter: Sendable {
    /// Tokens added to every bucket per second; 0 or less disables the limit.
    public let ratePerSecond: Double
    /// The most tokens a bucket holds: the requests a client may make at once, and `X-RateLimit-Limit`.
    public let burst: Int
    /// The most buckets one shard keeps before it evicts.
    public let maxKeysPerShard: Int
    private let clock: any TimeSource
    private let shards: [Locked<Shard>]

    public static let defaultRatePerSecond: Double = 10
    public static let defaultBurst = 20
    public static let defaultShardCount = 16
    public static let defaultMaxKeysPerShard = 65_536

    public init(
        ratePerSecond: Double,
        burst: Int,
        clock: any TimeSource,
        shardCount: Int = RateLimiter.defaultShardCount,
        maxKeysPerShard: Int = RateLimiter.defaultMaxKeysPerShard
    ) {
        precondition(ratePerSecond.isFinite, "the rate must be a finite number of requests per second (0 or less disables the limit)")
        precondition(burst >= 1, "the burst must be at least 1 request, or no request is ever allowed")
        precondition(shardCount >= 1, "a rate limiter needs at least 1 shard")
        precondition(maxKeysPerShard >= 1, "each shard must be able to keep at least 1 bucket")
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.maxKeysPerShard = maxKeysPerShard
        self.clock = clock
        shards = (0..<shardCount).map { _ in Locked(Shard(maxKeys: maxKeysPerShard)) }
    }

    /// Whether the limit is on at all (a positive rate).
    public var isEnabled: Bool { ratePerSecond > 0 }

    /// The number of shards keys are spread over.
    public var shardCount: Int { shards.count }

    /// Decides one request from `key`, spending a token when it is allowed.
    public func acquire(_ key: String) -> RateDecision {
        guard isEnabled else {
            return RateDecision(allowed: true, limit: burst, remaining: burst, retryAfterMs: 0)
        }
        let nowMs = clock.nowMs
        return shard(for: key).withLock { shard in
            shard.acquire(key, nowMs: nowMs, ratePerSecond: ratePerSecond, burst: burst)
        }
    }

    /// The buckets held across all shards, for tests and metrics. Locks each shard in turn, so under load the
    /// sum is approximate; never call it on the hot path.
    public var trackedKeys: Int {
        shards.reduce(0) { sum, shard in sum + shard.withLock { $0.count } }
    }

    /// The buckets held by each shard, in shard order; each is at most `maxKeysPerShard`.
    public var trackedKeysPerShard: [Int] {
        shards.map { shard in shard.withLock { $0.count } }
    }

    private func shard(for key: String) -> Locked<Shard> {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }
}
