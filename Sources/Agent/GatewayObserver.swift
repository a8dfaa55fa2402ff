import LLM
import Resilience

/// How one upstream attempt ended, as `agentd_llm_requests_total`'s `outcome` label names it.
public enum AttemptOutcome: String, Sendable {
    case success, error, timeout
    /// Not sent: the provider's circuit was open.
    case rejected
}

/// What the gateway did for one call: which model answered (after fallbacks) and how many attempts it took.
public struct GatewayReport: Sendable, Equatable {
    /// `provider:model` of the candidate that answered, or of the last one tried.
    public var model: String
    public var provider: String
    /// Upstream attempts over every candidate (0 when every circuit was open).
    public var attempts: Int
    public var usage: ChatUsage
    /// How the response cache answered (nil when it was not consulted).
    public var cache: CacheOutcome?

    public init(model: String, provider: String, attempts: Int = 0, usage: ChatUsage = ChatUsage(), cache: CacheOutcome? = nil) {
        self.model = model
        self.provider = provider
        self.attempts = attempts
        self.usage = usage
        self.cache = cache
    }
}

/// What the gateway reports as it works, for metrics and logs. Called from any thread; must not block.
/// `model` is the provider's model id as sent upstream (labelling policy is the observer's business).
public protocol GatewayObserver: Sendable {
    func attemptFinished(provider: String, model: String, outcome: AttemptOutcome, seconds: Double, usage: ChatUsage?)
    func firstToken(provider: String, model: String, seconds: Double)
    func retrying(provider: String, reason: String, attempt: Int, delayMs: Int)
    func fellBack(from: String, to: String)
    func breakerChanged(provider: String, from: CircuitBreaker.State, to: CircuitBreaker.State)
}

/// Observes nothing: for tests and tools that need no metrics.
public struct SilentGatewayObserver: GatewayObserver {
    public init() {}
    public func attemptFinished(provider: String, model: String, outcome: AttemptOutcome, seconds: Double, usage: ChatUsage?) {}
    public func firstToken(provider: String, model: String, seconds: Double) {}
    public func retrying(provider: String, reason: String, attempt: Int, delayMs: Int) {}
    public func fellBack(from: String, to: String) {}
    public func breakerChanged(provider: String, from: CircuitBreaker.State, to: CircuitBreaker.State) {}
}
