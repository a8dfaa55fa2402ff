/// What `RateLimiter.acquire` decided for one request, with what the response headers report.
///
/// A plain value. The headers it feeds are those of docs/api.md, "Rate limits and budgets": `X-RateLimit-Limit`
/// (`limit`), `X-RateLimit-Remaining` (`remaining`) on every limited response, and on a 429 `Retry-After`
/// (`retryAfterSeconds`, RFC 9110 §10.2.3: a delay in whole seconds).
public struct RateDecision: Sendable, Equatable {
    /// Whether the request may go ahead.
    public let allowed: Bool
    /// The burst: the most requests a client may make at once, for `X-RateLimit-Limit`.
    public let limit: Int
    /// Whole tokens left after this decision, for `X-RateLimit-Remaining`.
    public let remaining: Int
    /// 0 when allowed; otherwise the milliseconds until one token is available.
    public let retryAfterMs: Int

    public init(allowed: Bool, limit: Int, remaining: Int, retryAfterMs: Int) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.retryAfterMs = retryAfterMs
    }

    /// `retryAfterMs` in whole seconds for `Retry-After`: rounded up, so a client that obeys it finds a token,
    /// and at least 1, because `Retry-After: 0` invites an immediate retry that would be refused again.
    public var retryAfterSeconds: Int {
        max(RateDecision.minRetryAfterSeconds, (retryAfterMs + 999) / 1_000)
    }

    /// The smallest `Retry-After` sent, in seconds.
    public static let minRetryAfterSeconds = 1
}
