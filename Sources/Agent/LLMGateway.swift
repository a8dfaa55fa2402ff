import Dispatch
import LLM
import Locks
import Resilience
import Tracing

/// How the gateway protects providers and callers (README.md, API, "Protection and resilience").
public struct GatewaySettings: Sendable {
    public var retry: RetryPolicy
    public var breaker: CircuitBreaker.Configuration
    /// Retries stay under this share of a provider's calls over a sliding minute.
    public var retryBudgetRatio: Double
    /// No retry starts (or is waited for) past this long after the call began: AGENTD_UPSTREAM_TIMEOUT_MS.
    public var callDeadlineMs: Int64

    public init(
        retry: RetryPolicy = RetryPolicy(), breaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(),
        retryBudgetRatio: Double = 0.2, callDeadlineMs: Int64 = 120_000
    ) {
        self.retry = retry
        self.breaker = breaker
        self.retryBudgetRatio = retryBudgetRatio
        self.callDeadlineMs = callDeadlineMs
    }
}

/// Every provider call goes through here: per provider a circuit breaker and a retry budget, retries with
/// jittered backoff, then the fallback models, each step reported to the observer.
///
/// Owner: none; immutable. Each call's state is owned by its `GatewayCall`; breakers and budgets guard their own.
/// Retries wait on a Dispatch timer, never on a thread; a cancelled call cancels its attempt and its pending retry.
public final class LLMGateway: Sendable {
    public let registry: ProviderRegistry
    let settings: GatewaySettings
    public let clock: any TimeSource
    let observer: any GatewayObserver
    let guards: [String: ProviderGuard]
    let fallbacks: [ProviderRegistry.Resolution]
    let retryQueue = DispatchQueue(label: "agentd.retries")
    /// Whole answers of cacheable requests (nil: no cache).
    let cache: (any CompletionCaching)?
    /// Records a span per call (nil: tracing is off, and the caller's `traceparent` goes upstream unchanged).
    public let tracer: Tracer?

    /// `fallbacks`: AGENTD_FALLBACK_MODELS resolved at startup (`resolveFallbacks`), tried in order.
    public init(
        registry: ProviderRegistry, settings: GatewaySettings = GatewaySettings(), fallbacks: [ProviderRegistry.Resolution] = [],
        cache: (any CompletionCaching)? = nil, clock: any TimeSource = SystemClock(),
        observer: any GatewayObserver = SilentGatewayObserver(), tracer: Tracer? = nil
    ) {
        self.registry = registry
        self.tracer = tracer
        self.cache = cache
        self.settings = settings
        self.clock = clock
        self.observer = observer
        self.fallbacks = fallbacks
        var guards: [String: ProviderGuard] = [:]
        for name in registry.providers.keys {
            guards[name] = ProviderGuard(provider: name, settings: settings, clock: clock, observer: observer)
        }
        self.guards = guards
    }

    /// The fallback models by name, each resolved; fails on the first that names no configured provider.
    public static func resolveFallbacks(_ names: [String], in registry: ProviderRegistry) throws(ProviderError) -> [ProviderRegistry.Resolution] {
        var resolved: [ProviderRegistry.Resolution] = []
        for name in names { resolved.append(try registry.resolve(name)) }
        return resolved
    }

    /// Each provider's circuit state, by provider name, for `/health` and the breaker gauge.
    public var breakerStates: [(provider: String, state: CircuitBreaker.State)] {
        guards.keys.sorted().map { ($0, guards[$0]!.breaker.state) }
    }

    /// The whole answer. `completion` runs once, with what the gateway did, on the thread that ended the call.
    ///
    /// `useCache`: the caller may take a cached answer (docs/api.md, Response cache: non-stream, temperature 0
    /// or unset, no `Cache-Control: no-cache`); identical concurrent misses then make one upstream call. Such a call
    /// runs to its end even when its own client leaves: others may be waiting for it, and its answer is kept.
    /// `fallbacks`: the models to fall back to for this call (an agent's own); nil, the gateway's.
    public func complete(
        _ request: ChatRequest, resolution: ProviderRegistry.Resolution, fallbacks: [ProviderRegistry.Resolution]? = nil, useCache: Bool = false,
        completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>, GatewayReport) -> Void
    ) -> ProviderCall {
        guard useCache, let cache, cache.isEnabled, request.isCacheable else {
            return completeUncached(request, resolution: resolution, fallbacks: fallbacks, completion: completion)
        }
        let leaderReport = Locked<GatewayReport?>(nil, compact: true)
        cache.fetch(request.cacheKey(qualifiedModel: resolution.qualifiedName), compute: { finish in
            _ = self.completeUncached(request, resolution: resolution, fallbacks: fallbacks) { result, report in
                leaderReport.withLock { $0 = report }
                finish(result)
            }
        }, completion: { result, outcome in
            var report = leaderReport.withLock { $0 }
                ?? GatewayReport(model: resolution.qualifiedName, provider: resolution.provider.name)
            if outcome != .miss {
                report.attempts = 0
                report.usage = ChatUsage()
            }
            report.cache = outcome
            completion(result, report)
        })
        return ProviderCall(cancel: {}, resume: {})
    }

    private func completeUncached(
        _ request: ChatRequest, resolution: ProviderRegistry.Resolution, fallbacks: [ProviderRegistry.Resolution]?,
        completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>, GatewayReport) -> Void
    ) -> ProviderCall {
        let call = GatewayCall(gateway: self, request: request, primary: resolution, fallbacks: fallbacks, mode: .complete(completion))
        call.start()
        return call.handle
    }

    /// A streamed answer. Failures before the first event are retried and fall back like whole answers; once an
    /// event went to the caller, a failure ends the stream. `report` runs once, just before `onComplete`.
    public func stream(
        _ request: ChatRequest, resolution: ProviderRegistry.Resolution, fallbacks: [ProviderRegistry.Resolution]? = nil,
        callbacks: ChatStreamCallbacks,
        report: @escaping @Sendable (GatewayReport) -> Void = { _ in }
    ) -> ProviderCall {
        let call = GatewayCall(
            gateway: self, request: request, primary: resolution, fallbacks: fallbacks, mode: .stream(callbacks, report)
        )
        call.start()
        return call.handle
    }
}

extension LLMGateway {
    /// Embeddings through the provider's breaker and retries (no cache, no fallbacks). `completion` runs once.
    public func embed(
        _ request: EmbeddingRequest, resolution: ProviderRegistry.Resolution,
        completion: @escaping @Sendable (Result<EmbeddingResponse, ProviderError>, GatewayReport) -> Void
    ) -> ProviderCall {
        let call = GatewayCall(gateway: self, primary: resolution, mode: .embed(request, completion))
        call.start()
        return call.handle
    }
}

/// One provider's protection: its circuit breaker and its retry budget.
final class ProviderGuard: Sendable {
    let breaker: CircuitBreaker
    let retryBudget: RetryBudget

    init(provider: String, settings: GatewaySettings, clock: any TimeSource, observer: any GatewayObserver) {
        breaker = CircuitBreaker(name: provider, configuration: settings.breaker, clock: clock) { from, to in
            observer.breakerChanged(provider: provider, from: from, to: to)
        }
        retryBudget = RetryBudget(ratio: settings.retryBudgetRatio, clock: clock)
    }
}

extension ProviderError {
    /// How a failure counts for the provider's circuit: client errors (4xx but 408), throttling (429, honoured
    /// through Retry-After instead) and cancellations say nothing about the provider's health.
    var countsAgainstBreaker: Bool {
        switch kind {
        case .status(let code): return code == 408 || code >= 500
        case .timeout, .connection, .invalidResponse: return true
        case .cancelled, .invalidRequest, .unavailable: return false
        }
    }

    /// The `reason` label of `agentd_llm_retries_total`: a small fixed set.
    var retryReason: String {
        switch kind {
        case .status(let code): return "status_\(code)"
        case .timeout: return "timeout"
        case .connection: return "connection"
        case .invalidResponse: return "invalid_response"
        case .cancelled, .invalidRequest, .unavailable: return "other"
        }
    }
}
