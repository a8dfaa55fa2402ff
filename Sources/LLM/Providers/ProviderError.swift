/// A failed provider call, classified for the resilience layer: may it be retried, and after how long.
///
/// Retried (README.md, API, "Protection and resilience"): connection errors, timeouts, and HTTP 408, 409, 429,
/// 500, 502, 503, 504, 529. Never: other 4xx, and a 429 that says the quota or spend limit is exhausted
/// (retrying cannot help).
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The upstream answered with an error status.
        case status(Int)
        case timeout(TransferError.Phase)
        case connection
        case cancelled
        /// The upstream's answer could not be understood (bad JSON, a broken stream).
        case invalidResponse
        /// Our request could not be made (unknown model, bad argument for this provider).
        case invalidRequest
        /// Not sent: the circuit of every candidate model's provider is open (`retryAfterMs`: until one may close).
        case unavailable
    }

    public var provider: String
    public var kind: Kind
    /// The upstream's own message, or ours; never the request or its content.
    public var message: String
    /// The upstream's error type or code (`rate_limit_exceeded`, `overloaded_error`), when it gave one.
    public var upstreamCode: String?
    /// From `retry-after-ms` or `Retry-After` (seconds), when the upstream sent one.
    public var retryAfterMs: Int?

    public init(provider: String, kind: Kind, message: String, upstreamCode: String? = nil, retryAfterMs: Int? = nil) {
        self.provider = provider
        self.kind = kind
        self.message = message
        self.upstreamCode = upstreamCode
        self.retryAfterMs = retryAfterMs
    }

    public var isRetryable: Bool {
        switch kind {
        case .timeout, .connection: return true
        case .status(429): return !isQuotaExhausted
        case .status(let code): return [408, 409, 500, 502, 503, 504, 529].contains(code)
        case .cancelled, .invalidResponse, .invalidRequest, .unavailable: return false
        }
    }

    /// A 429 that will not go away by waiting: the account's quota or spend limit.
    public var isQuotaExhausted: Bool {
        guard case .status(429) = kind else { return false }
        let code = upstreamCode?.lowercased() ?? ""
        let text = message.lowercased()
        return code == "insufficient_quota" || code == "billing_hard_limit_reached"
            || text.contains("exceeded your current quota") || text.contains("spend limit")
            || text.contains("credit balance")
    }

    public var isTimeout: Bool {
        if case .timeout = kind { return true }
        return false
    }

    public var description: String {
        switch kind {
        case .status(let code): return "\(provider) answered \(code): \(message)"
        case .timeout(let phase): return "\(provider) \(phase.rawValue) timeout"
        case .connection: return "\(provider) unreachable: \(message)"
        case .cancelled: return "\(provider) call cancelled"
        case .invalidResponse: return "\(provider) sent an invalid response: \(message)"
        case .invalidRequest: return "invalid request for \(provider): \(message)"
        case .unavailable: return "\(provider) unavailable: \(message)"
        }
    }

    /// From a transfer failure.
    public init(provider: String, transfer error: TransferError) {
        switch error {
        case .timedOut(let phase): self.init(provider: provider, kind: .timeout(phase), message: error.description)
        case .connectFailed(let detail), .network(let detail):
            self.init(provider: provider, kind: .connection, message: detail)
        case .cancelled: self.init(provider: provider, kind: .cancelled, message: "cancelled")
        case .invalidRequest(let detail): self.init(provider: provider, kind: .invalidRequest, message: detail)
        }
    }

    /// The wait an upstream asked for: `retry-after-ms` (milliseconds) first, then `Retry-After` in seconds.
    /// An HTTP-date form is not honoured; the backoff applies instead.
    public static func retryAfterMs(from head: TransferHead) -> Int? {
        if let text = head.header("retry-after-ms"), let value = Double(text) { return clampedMs(value) }
        if let text = head.header("retry-after"), let value = Double(text) { return clampedMs(value * 1000) }
        return nil
    }

    /// The longest wait an upstream can ask for that is taken as a number (a day); the retry policy caps it further.
    static let maxRetryAfterMs = 86_400_000

    /// Milliseconds from an upstream's number: nil for a negative or NaN value, a day at most (`Double("inf")` and
    /// `Double("1e999")` parse, and converting an infinity to `Int` would trap).
    static func clampedMs(_ value: Double) -> Int? {
        guard value >= 0 else { return nil }
        return Int(min(value, Double(maxRetryAfterMs)))
    }
}
