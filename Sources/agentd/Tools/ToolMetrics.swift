import Agent
import Logging

/// The tool families (docs/api.md, Observability surface, Metrics) and one log line per tool call: agent, tool,
/// outcome, duration and the request id; never the arguments or the result. Owner: none; the families are thread-safe.
struct ToolMetrics: AgentLoopObserver {
    let metrics: AgentdMetrics
    let logger: Logger

    func toolCallFinished(agent: String, tool: String, outcome: ToolOutcome, seconds: Double, requestID: String?) {
        metrics.toolCalls.labels(agent, tool, outcome.rawValue).increment()
        metrics.toolCallDuration.labels(tool).observe(seconds)
        var fields: [String: LogValue] = [
            "agent": .string(agent), "tool": .string(tool), "outcome": .string(outcome.rawValue),
            "duration_ms": .double((seconds * 100_000).rounded() / 100),
        ]
        if let requestID { fields["request_id"] = .string(requestID) }
        logger.log(outcome == .success ? .info : .warning, "tool call", fields)
    }

    func runFinished(agent: String, modelCalls: Int) { metrics.agentSteps.labels().observe(Double(modelCalls)) }
}
