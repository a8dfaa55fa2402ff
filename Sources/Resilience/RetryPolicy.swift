/// When a failed upstream call is tried again, and how long to wait first: capped exponential backoff with full jitter.
///
/// Behaviour (README.md, API, "Protection and resilience"; the AGENTD_RETRY_* rows of docs/configuration.md):
/// at most `maxAttempts` tries in total (the first one included); the wait before try n+1 is uniform in
/// [0, min(maxDelayMs, baseDelayMs · 2^(n-1))] — "full jitter", so that clients that failed together do not come
/// back together (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
/// An upstream's own request to wait (`Retry-After`, RFC 9110 §10.2.3, or `retry-after-ms`) is honoured up to
/// `maxDelayMs`. Retried statuses are listed in `isRetryableStatus(_:)`.
///
/// A value type without mutable state: safe to share between threads. It never sleeps; callers wait for the
/// returned delay themselves. `decide(…)` (in RetryPolicy+Decision.swift) gathers every rule into one answer.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in total, the first one included: 1 means never retry.
    public let maxAttempts: Int
    /// The upper bound of the first retry's jitter, in milliseconds; doubles with each further retry.
    public let baseDelayMs: Int
    /// No wait is longer than this, whether computed or asked for by the upstream.
    public let maxDelayMs: Int

    public static let defaultMaxAttempts = 3
    public static let defaultBaseDelayMs = 500
    public static let defaultMaxDelayMs = 8_000

    /// Above this exponent the doubling is past any useful cap; stopping there keeps the shift defined.
    private static let maxBackoffExponent = 62

    public init(
        maxAttempts: Int = RetryPolicy.defaultMaxAttempts,
        baseDelayMs: Int = RetryPolicy.defaultBaseDelayMs,
        maxDelayMs: Int = RetryPolicy.defaultMaxDelayMs
    ) {
        precondition(maxAttempts >= 1, "maxAttempts counts the first try too, so it is at least 1 (1 = no retries)")
        precondition(baseDelayMs >= 0, "baseDelayMs is a duration and cannot be negative")
        precondition(maxDelayMs >= baseDelayMs, "maxDelayMs caps the backoff, so it cannot be below baseDelayMs")
        self.maxAttempts = maxAttempts
        self.baseDelayMs = baseDelayMs
        self.maxDelayMs = maxDelayMs
    }

    /// The jitter's upper bound after the try numbered `attempt` failed: min(maxDelayMs, baseDelayMs · 2^(attempt-1)).
    ///
    /// Saturates at `maxDelayMs` instead of overflowing, whatever the attempt number.
    public func backoffCeilingMs(afterAttempt attempt: Int) -> Int {
        precondition(attempt >= 1, "attempts count from 1: the first try that failed is attempt 1")
        let exponent = min(attempt - 1, Self.maxBackoffExponent)
        let (product, overflow) = baseDelayMs.multipliedReportingOverflow(by: 1 << exponent)
        return overflow ? maxDelayMs : min(maxDelayMs, product)
    }

    /// How long to wait after the try numbered `attempt` (from 1) failed, in milliseconds.
    ///
    /// Full jitter: uniform in [0, backoffCeilingMs(afterAttempt:)]. When the upstream asked for a wait
    /// (`retryAfterMs`), the result is at least that long, but never above `maxDelayMs`.
    public func delayMs(
        afterAttempt attempt: Int,
        retryAfterMs: Int?,
        using random: inout some RandomNumberGenerator
    ) -> Int {
        let ceiling = backoffCeilingMs(afterAttempt: attempt)
        let jittered = ceiling == 0 ? 0 : Int.random(in: 0...ceiling, using: &random)
        guard let retryAfterMs else { return jittered }
        let askedFor = min(max(retryAfterMs, 0), maxDelayMs)
        return max(jittered, askedFor)
    }

    /// Whether an upstream answer with this HTTP status is worth trying again (agentd's list; what is not
    /// retried ends as docs/api.md, Errors, describes: 502 `upstream_error`):
    /// 408 Request Timeout, 409 Conflict, 429 Too Many Requests, 500, 502, 503, 504 and 529 (Anthropic's
    /// "overloaded"). A 429 that says the quota is spent is not retryable either; the caller knows that
    /// from the body and says so with `RetryableFailure.status(_:retryAfterMs:quotaExhausted:)`.
    public static func isRetryableStatus(_ status: Int) -> Bool {
        switch status {
        case 408, 409, 429, 500, 502, 503, 504, 529: return true
        default: return false
        }
    }
}
