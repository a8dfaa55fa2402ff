/// One client's token bucket: up to `burst` tokens, refilled at `ratePerSecond`, one token per request.
///
/// A pure value with no lock and no clock of its own: the caller passes the time and the limits on every call
/// and owns the storage (`RateLimiter` keeps one per key inside a locked shard). Refill is lazy: nothing runs
/// between calls; each call first adds what accrued since `lastRefillMs` (`tokens = min(burst, tokens +
/// elapsed · rate)`), so a decision is O(1) whatever the idle time. Tokens are a `Double` because rates may be
/// fractional (0.5 requests per second refills half a token each second). A reading older than
/// `lastRefillMs` (two threads that read the clock in one order and lock in the other) counts as no time
/// passed: the bucket never refills backwards and `lastRefillMs` never decreases.
public struct TokenBucket: Sendable {
    /// Tokens available as of `lastRefillMs`, between 0 and the burst.
    public private(set) var tokens: Double
    /// When `tokens` was last brought up to date, in the clock's milliseconds.
    public private(set) var lastRefillMs: Int64

    /// A full bucket, as a client that was never seen before deserves.
    public init(burst: Int, nowMs: Int64) {
        precondition(burst >= 1, "a token bucket needs a burst of at least 1 token, or it never allows anything")
        tokens = Double(burst)
        lastRefillMs = nowMs
    }

    /// A bucket in a given state, for callers that persist buckets or tests that start half empty.
    public init(tokens: Double, lastRefillMs: Int64) {
        precondition(tokens >= 0, "a token bucket cannot hold a negative number of tokens")
        self.tokens = tokens
        self.lastRefillMs = lastRefillMs
    }

    /// Adds the tokens that accrued up to `nowMs`, capped at `burst`.
    public mutating func refill(nowMs: Int64, ratePerSecond: Double, burst: Int) {
        tokens = tokensAvailable(nowMs: nowMs, ratePerSecond: ratePerSecond, burst: burst)
        lastRefillMs = max(lastRefillMs, nowMs)
    }

    /// Refills, then spends one token if there is a whole one; answers whether the request may go ahead.
    public mutating func take(nowMs: Int64, ratePerSecond: Double, burst: Int) -> Bool {
        refill(nowMs: nowMs, ratePerSecond: ratePerSecond, burst: burst)
        guard tokens >= 1 - TokenBucket.tokenTolerance else { return false }
        tokens = max(0, tokens - 1)
        return true
    }

    /// The tokens there would be at `nowMs`, without changing the bucket.
    public func tokensAvailable(nowMs: Int64, ratePerSecond: Double, burst: Int) -> Double {
        let elapsedMs = max(0, nowMs - lastRefillMs)
        let accrued = Double(elapsedMs) * ratePerSecond / TokenBucket.millisecondsPerSecond
        return min(Double(burst), tokens + accrued)
    }

    /// Whole tokens left as of the last refill: what `X-RateLimit-Remaining` reports.
    public var wholeTokens: Int { Int((tokens + TokenBucket.tokenTolerance).rounded(.down)) }

    /// Milliseconds from `lastRefillMs` until a whole token is available; 0 when one already is.
    ///
    /// Rounded up, so that a client which waits exactly this long finds a token. Meaningful right after a
    /// `refill` or `take` at the current time; `ratePerSecond` must be positive.
    public func waitMsForOneToken(ratePerSecond: Double) -> Int {
        precondition(ratePerSecond > 0, "at a rate of 0 tokens per second a bucket never refills; skip the limit instead")
        let missing = 1 - TokenBucket.tokenTolerance - tokens
        guard missing > 0 else { return 0 }
        let waitMs = (missing * TokenBucket.millisecondsPerSecond / ratePerSecond).rounded(.up)
        // A tiny rate would overflow Int; a day-long wait already means "not any time soon".
        return Int(min(waitMs, TokenBucket.maxReportedWaitMs))
    }

    /// Whether the bucket is full at `nowMs`: such a bucket is indistinguishable from a new one, so a store
    /// of buckets may drop it and create a fresh one when the client returns.
    public func isFull(nowMs: Int64, ratePerSecond: Double, burst: Int) -> Bool {
        tokensAvailable(nowMs: nowMs, ratePerSecond: ratePerSecond, burst: burst) >= Double(burst) - TokenBucket.tokenTolerance
    }

    static let millisecondsPerSecond: Double = 1_000
    /// How far below a whole token still counts as one. Refill sums binary fractions (99 ms at 10 per second
    /// is 0.99, which a `Double` holds only approximately), so without it a client that waited exactly the
    /// `Retry-After` it was given could be refused by a rounding error, and waits would come out 1 ms long.
    static let tokenTolerance: Double = 1e-9
    /// The longest wait reported, in milliseconds: one day.
    static let maxReportedWaitMs: Double = 86_400_000
}
