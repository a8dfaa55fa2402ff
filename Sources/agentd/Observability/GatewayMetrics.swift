import Agent
import LLM
import Logging
import Resilience

/// The model label of LLM metrics: a model configured for its provider (listed, default, fallback or named by
/// an agent profile) keeps its name; anything else a client sends becomes `other`, so clients cannot mint series.
struct ModelLabels: Sendable {
    private let known: Set<String>

    /// `qualifiedModels`: `provider:model` names that may appear as labels.
    init(qualifiedModels: [String]) { known = Set(qualifiedModels) }

    func label(provider: String, model: String) -> String {
        known.contains(provider + ":" + model) ? model : "other"
    }
}

/// Turns what the gateway reports into metrics and warning logs (retries, fallbacks, breaker transitions).
struct GatewayMetrics: GatewayObserver {
    let metrics: AgentdMetrics
    let models: ModelLabels
    let prices: PriceTable
    let logger: Logger

    func attemptFinished(provider: String, model: String, outcome: AttemptOutcome, seconds: Double, usage: ChatUsage?) {
        let label = models.label(provider: provider, model: model)
        metrics.llmRequests.labels(provider, label, outcome.rawValue).increment()
        guard outcome != .rejected else { return }
        metrics.llmDuration.labels(provider, label).observe(seconds)
        guard let usage else { return }
        metrics.llmTokens.labels(provider, label, "input").increment(by: Double(usage.inputTokens))
        metrics.llmTokens.labels(provider, label, "output").increment(by: Double(usage.outputTokens))
        let cost = prices.costUSD(provider: provider, model: model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens)
        metrics.llmCost.labels(provider, label).increment(by: cost)
    }

    func firstToken(provider: String, model: String, seconds: Double) {
        metrics.llmTimeToFirstToken.labels(provider, models.label(provider: provider, model: model)).observe(seconds)
    }

    func retrying(provider: String, reason: String, attempt: Int, delayMs: Int) {
        metrics.llmRetries.labels(provider, reason).increment()
        logger.log(.warning, "retrying upstream call", [
            "provider": .string(provider), "reason": .string(reason), "attempt": .int(attempt), "delay_ms": .int(delayMs),
        ])
    }

    func fellBack(from: String, to: String) {
        metrics.llmFallbacks.labels(qualifiedLabel(from), qualifiedLabel(to)).increment()
        logger.log(.warning, "falling back to another model", ["from": .string(from), "to": .string(to)])
    }

    func breakerChanged(provider: String, from: CircuitBreaker.State, to: CircuitBreaker.State) {
        metrics.breakerChanged(provider: provider, to: to)
        logger.log(.warning, "circuit breaker changed state", [
            "provider": .string(provider), "from": .string(from.metricName), "to": .string(to.metricName),
        ])
    }

    /// `provider:model` with the model label policy applied.
    private func qualifiedLabel(_ qualified: String) -> String {
        guard let colon = qualified.firstIndex(of: ":") else { return qualified }
        let provider = String(qualified[..<colon])
        return provider + ":" + models.label(provider: provider, model: String(qualified[qualified.index(after: colon)...]))
    }
}
