/// What the retry decision needs to know about one failed upstream call, built by the caller from its own error type.
///
/// Keeps the Resilience module independent of the LLM module: the caller maps its errors to this small value.
/// `reason` is a short, bounded label for metrics and logs ("status_503", "timeout", "connection"), never
/// free text from the upstream, so that it cannot blow up a metric's label cardinality.
public struct RetryableFailure: Sendable, Equatable {
    /// Whether the failure is of a kind that another try may cure.
    public var isRetryable: Bool
    /// The wait the upstream asked for (Retry-After or retry-after-ms), in milliseconds, if any.
    public var retryAfterMs: Int?
    /// A short label for metrics: bounded set of values, snake_case.
    public var reason: String

    public init(isRetryable: Bool, retryAfterMs: Int? = nil, reason: String) {
        self.isRetryable = isRetryable
        self.retryAfterMs = retryAfterMs
        self.reason = reason
    }

    /// The connection could not be made or broke before an answer: always worth another try.
    public static let connection = RetryableFailure(isRetryable: true, reason: "connection")

    /// The upstream did not answer in time: worth another try (if the request's deadline allows it).
    public static let timeout = RetryableFailure(isRetryable: true, reason: "timeout")

    /// An HTTP error status from the upstream.
    ///
    /// - Parameter quotaExhausted: the 429 says the account's quota or spend limit is used up; waiting a few
    ///   seconds will not cure that, so it is never retried (see docs/runbook.md, AgentdUpstreamRetriesSurging,
    ///   on the provider's 429s).
    public static func status(_ status: Int, retryAfterMs: Int? = nil, quotaExhausted: Bool = false) -> RetryableFailure {
        if quotaExhausted {
            return RetryableFailure(isRetryable: false, retryAfterMs: retryAfterMs, reason: "quota_exhausted")
        }
        return RetryableFailure(
            isRetryable: RetryPolicy.isRetryableStatus(status),
            retryAfterMs: retryAfterMs,
            reason: "status_\(status)"
        )
    }
}
