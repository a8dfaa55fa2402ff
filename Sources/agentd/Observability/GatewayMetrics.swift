import Agent
import LLM
import Logging
import Metrics
import Resilience

/// The model label of LLM metrics: a model configured for its provider (listed, default, fallback or named by
/// an agent profile) keeps its name; anything else a client sends becomes `other`, so clients cannot mint series.
struct ModelLabels: Sendable {
    /// Known model names by provider.
    let known: [String: Set<String>]

    /// `qualifiedModels`: `provider:model` names that may appear as labels.
    init(qualifiedModels: [String]) {
        var known: [String: Set<String>] = [:]
        for name in qualifiedModels {
            guard let colon = name.firstIndex(of: ":") else { continue }
            known[String(name[..<colon]), default: []].insert(String(name[name.index(after: colon)...]))
        }
        self.known = known
    }

    func label(provider: String, model: String) -> String {
        known[provider]?.contains(model) == true ? model : "other"
    }
}

/// One provider and model's LLM series, resolved once at start: recording a call is a few atomic adds.
final class LLMSeries: Sendable {
    let outcomes: [AttemptOutcome: Counter]
    let duration: Histogram
    let timeToFirstToken: Histogram
    let inputTokens: Counter
    let outputTokens: Counter
    let cost: Counter

    init(metrics: AgentdMetrics, provider: String, model: String) {
        var outcomes: [AttemptOutcome: Counter] = [:]
        for outcome in [AttemptOutcome.success, .error, .timeout, .rejected] {
            outcomes[outcome] = metrics.llmRequests.labels(provider, model, outcome.rawValue)
        }
        self.outcomes = outcomes
        duration = metrics.llmDuration.labels(provider, model)
        timeToFirstToken = metrics.llmTimeToFirstToken.labels(provider, model)
        inputTokens = metrics.llmTokens.labels(provider, model, "input")
        outputTokens = metrics.llmTokens.labels(provider, model, "output")
        cost = metrics.llmCost.labels(provider, model)
    }
}

/// Turns what the gateway reports into metrics and warning logs (retries, fallbacks, breaker transitions).
/// Owner: none; immutable. The series of every provider and allowed model label exist from the start (at zero),
/// so the hot path only reads an immutable table.
struct GatewayMetrics: GatewayObserver {
    let metrics: AgentdMetrics
    let models: ModelLabels
    let prices: PriceTable
    let logger: Logger
    /// Provider → model label → series; every provider has an `other` entry.
    private let series: [String: [String: LLMSeries]]

    init(metrics: AgentdMetrics, models: ModelLabels, providers: [String], prices: PriceTable, logger: Logger) {
        self.metrics = metrics
        self.models = models
        self.prices = prices
        self.logger = logger
        var series: [String: [String: LLMSeries]] = [:]
        for provider in providers {
            var byModel: [String: LLMSeries] = [:]
            for model in (models.known[provider] ?? []).union(["other"]) {
                byModel[model] = LLMSeries(metrics: metrics, provider: provider, model: model)
            }
            series[provider] = byModel
        }
        self.series = series
    }

    private func seriesFor(provider: String, model: String) -> LLMSeries? {
        guard let byModel = series[provider] else { return nil }
        return byModel[model] ?? byModel["other"]
    }

    func attemptFinished(provider: String, model: String, outcome: AttemptOutcome, seconds: Double, usage: ChatUsage?) {
        guard let series = seriesFor(provider: provider, model: model) else { return }
        series.outcomes[outcome]?.increment()
        guard outcome != .rejected else { return }
        series.duration.observe(seconds)
        guard let usage else { return }
        series.inputTokens.increment(by: Double(usage.inputTokens))
        series.outputTokens.increment(by: Double(usage.outputTokens))
        let cost = prices.costUSD(provider: provider, model: model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens)
        if cost > 0 { series.cost.increment(by: cost) }
    }

    func firstToken(provider: String, model: String, seconds: Double) {
        seriesFor(provider: provider, model: model)?.timeToFirstToken.observe(seconds)
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
