import Resilience

/// How hard agentd tries to deliver one webhook: attempts, backoff and the time one attempt may take.
///
/// A value without mutable state. The backoff itself is `RetryPolicy`'s (capped exponential, full jitter); this
/// adds the per-attempt timeout and the webhook's own defaults, which are far more patient than an LLM call's:
/// a receiver that is down for a deploy should still get the task's result, and nobody waits on the answer.
public struct WebhookPolicy: Sendable, Equatable {
    /// Tries in total, the first one included: 1 means never retry.
    public let maxAttempts: Int
    /// The upper bound of the first retry's jitter, in milliseconds; doubles with each further retry.
    public let baseDelayMs: Int
    /// No wait between attempts is longer than this, whether computed or asked for with `Retry-After`.
    public let maxDelayMs: Int
    /// One attempt, connection to last byte of the answer, in milliseconds.
    public let timeoutMs: Int

    public static let defaultMaxAttempts = 6
    public static let defaultBaseDelayMs = 1_000
    public static let defaultMaxDelayMs = 60_000
    public static let defaultTimeoutMs = 10_000
    /// The connection (TCP and TLS) gets at most this much of an attempt's `timeoutMs`.
    public static let maxConnectTimeoutMs = 5_000

    public init(
        maxAttempts: Int = WebhookPolicy.defaultMaxAttempts,
        baseDelayMs: Int = WebhookPolicy.defaultBaseDelayMs,
        maxDelayMs: Int = WebhookPolicy.defaultMaxDelayMs,
        timeoutMs: Int = WebhookPolicy.defaultTimeoutMs
    ) {
        precondition(timeoutMs >= 1, "timeoutMs bounds every attempt, so it is at least 1 ms (0 would mean none)")
        self.maxAttempts = maxAttempts
        self.baseDelayMs = baseDelayMs
        self.maxDelayMs = maxDelayMs
        self.timeoutMs = timeoutMs
        // RetryPolicy checks the attempt and delay fields; building one here makes a bad policy fail at once.
        _ = retryPolicy
    }

    /// The backoff rules, shared with the LLM client's retries.
    var retryPolicy: RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, baseDelayMs: baseDelayMs, maxDelayMs: maxDelayMs)
    }
}

/// How a webhook delivery ended.
public enum WebhookOutcome: Sendable, Equatable {
    /// The receiver answered 2xx on attempt number `attempts`, with `status`.
    case delivered(attempts: Int, status: Int)
    /// No 2xx after `attempts` tries (0 when the URL was refused before any): `reason` names the last failure,
    /// e.g. "HTTP 400", "timed out (total)", "cancelled".
    case failed(attempts: Int, reason: String)
}
