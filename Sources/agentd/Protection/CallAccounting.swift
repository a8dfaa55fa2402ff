import Agent
import LLM
import Server

/// What follows every chat call: the tokens it used settle the budget reservation the guard made for it (the
/// unused part goes back), the cache and agent metrics, and the access log's note (model that answered, tokens,
/// attempts, cache). Call it before responding.
/// Owner: none; immutable.
struct CallAccounting: Sendable {
    let metrics: AgentdMetrics?

    static let none = CallAccounting(metrics: nil)

    func settle(
        _ report: GatewayReport, client: String?, reservation: BudgetReservation?, agent: String? = nil, succeeded: Bool,
        responder: Responder, reservedCallTokens: Int? = nil
    ) {
        // An agent run's later model calls settle reservations of their own: this one covers its first call.
        reservation?.settle(usedTokens: reservedCallTokens ?? report.usage.totalTokens)
        if let metrics {
            if let result = report.cache?.metricResult { metrics.cacheRequests.labels(result).increment() }
            if let agent { metrics.agentRequests.labels(agent, succeeded ? "success" : "error").increment() }
        }
        responder.annotate(ExchangeNote(
            client: client, provider: report.provider, model: report.model,
            inputTokens: report.attempts > 0 ? report.usage.inputTokens : nil,
            outputTokens: report.attempts > 0 ? report.usage.outputTokens : nil,
            attempts: report.attempts, cache: report.cache?.metricResult, agent: agent
        ))
    }
}
