import Metrics
import Resilience

/// Every metric family of docs/api.md (Metrics), registered at start so each is present from the first scrape.
///
/// Owner: none; the families are thread-safe. Label values come only from fixed sets (route templates,
/// `unmatched`, status codes, configured providers, `ModelLabels`), never from raw client input.
final class AgentdMetrics: Sendable {
    let registry = MetricsRegistry()

    let httpRequests: CounterFamily
    let httpDuration: HistogramFamily
    let agentRequests: CounterFamily
    let llmRequests: CounterFamily
    let llmDuration: HistogramFamily
    let llmTimeToFirstToken: HistogramFamily
    let llmTokens: CounterFamily
    let llmCost: CounterFamily
    let llmRetries: CounterFamily
    let llmFallbacks: CounterFamily
    let breakerState: GaugeFamily
    let breakerTransitions: CounterFamily
    let rateLimited: CounterFamily
    let cacheRequests: CounterFamily
    let tasks: GaugeFamily
    let tasksFinished: CounterFamily
    let taskQueueDepth: GaugeFamily
    let taskTakeovers: CounterFamily
    /// Spans the tracer could not export (queue full, or the collector refused or timed out).
    let traceSpansDropped: CounterFamily
    let toolCalls: CounterFamily
    let toolCallDuration: HistogramFamily
    let agentSteps: HistogramFamily
    let conversations: GaugeFamily
    let inFlightRequests: GaugeFamily
    let openConnections: GaugeFamily

    init(version: String) {
        let registry = self.registry
        httpRequests = registry.counter(
            "agentd_http_requests_total", help: "HTTP requests answered, by route template, method and status code.",
            labelNames: ["route", "method", "code"]
        )
        httpDuration = registry.histogram(
            "agentd_http_request_duration_seconds", help: "Time from a request's head to its last response byte.",
            labelNames: ["route"], buckets: Histogram.defaultSecondsBuckets
        )
        inFlightRequests = registry.gauge("agentd_http_in_flight_requests", help: "Requests being answered now.")
        openConnections = registry.gauge("agentd_http_open_connections", help: "Client connections open now.")
        agentRequests = registry.counter(
            "agentd_agent_requests_total", help: "Chat turns by agent profile and outcome.", labelNames: ["agent", "outcome"]
        )
        llmRequests = registry.counter(
            "agentd_llm_requests_total", help: "Upstream LLM calls by outcome (success, error, timeout, rejected).",
            labelNames: ["provider", "model", "outcome"]
        )
        llmDuration = registry.histogram(
            "agentd_llm_request_duration_seconds", help: "Upstream LLM call duration, per attempt.",
            labelNames: ["provider", "model"], buckets: Histogram.llmSecondsBuckets
        )
        llmTimeToFirstToken = registry.histogram(
            "agentd_llm_time_to_first_token_seconds", help: "Time from an upstream stream's start to its first event.",
            labelNames: ["provider", "model"], buckets: Histogram.llmSecondsBuckets
        )
        llmTokens = registry.counter(
            "agentd_llm_tokens_total", help: "Tokens used, by type (input, output).", labelNames: ["provider", "model", "type"]
        )
        llmCost = registry.counter(
            "agentd_llm_cost_usd_total", help: "Estimated spend in USD from the price table.", labelNames: ["provider", "model"]
        )
        llmRetries = registry.counter(
            "agentd_llm_retries_total", help: "Upstream calls retried, by reason.", labelNames: ["provider", "reason"]
        )
        llmFallbacks = registry.counter(
            "agentd_llm_fallbacks_total", help: "Calls moved on to a fallback model.", labelNames: ["from", "to"]
        )
        breakerState = registry.gauge(
            "agentd_circuit_breaker_state", help: "Circuit state per provider: 0 closed, 1 half-open, 2 open.",
            labelNames: ["provider"]
        )
        breakerTransitions = registry.counter(
            "agentd_circuit_breaker_transitions_total", help: "Circuit state changes, by the state entered.",
            labelNames: ["provider", "to"]
        )
        rateLimited = registry.counter(
            "agentd_rate_limited_total", help: "Requests refused by the rate limit or the token budget.", labelNames: ["reason"]
        )
        cacheRequests = registry.counter(
            "agentd_cache_requests_total", help: "Response cache look-ups, by result (hit, miss).", labelNames: ["result"]
        )
        tasks = registry.gauge("agentd_tasks", help: "Tasks by status.", labelNames: ["status"])
        tasksFinished = registry.counter("agentd_tasks_finished_total", help: "Tasks that ended, by status.", labelNames: ["status"])
        taskQueueDepth = registry.gauge("agentd_task_queue_depth", help: "Tasks waiting for a worker (all replicas with Redis).")
        taskTakeovers = registry.counter(
            "agentd_task_takeovers_total", help: "Tasks (or their webhooks) this replica took over after another's lease lapsed."
        )
        _ = taskTakeovers.series
        traceSpansDropped = registry.counter(
            "agentd_trace_spans_dropped_total", help: "Spans dropped before export: the queue was full, or the collector refused or timed out."
        )
        _ = traceSpansDropped.series
        toolCalls = registry.counter(
            "agentd_tool_calls_total", help: "Tool calls agentd ran for agents, by outcome (success, error, timeout, invalid).",
            labelNames: ["agent", "tool", "outcome"]
        )
        toolCallDuration = registry.histogram(
            "agentd_tool_call_duration_seconds", help: "Time from a tool call's start to its result.", labelNames: ["tool"],
            buckets: Histogram.llmSecondsBuckets
        )
        agentSteps = registry.histogram(
            "agentd_agent_steps", help: "Model calls per agent run with tools.", labelNames: [],
            buckets: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100]
        )
        _ = agentSteps.labels()
        conversations = registry.gauge("agentd_conversations", help: "Conversations kept in memory.")
        let buildInfo = registry.gauge("agentd_build_info", help: "Always 1; the version is the label.", labelNames: ["version"])
        buildInfo.labels(version).set(1)
        // Fixed label sets exist from the first scrape, at zero.
        for reason in ["rate", "budget"] { _ = rateLimited.labels(reason) }
        for result in ["hit", "miss"] { _ = cacheRequests.labels(result) }
        for status in ["pending", "running", "completed", "failed", "cancelled"] {
            _ = tasks.labels(status)
            _ = tasksFinished.labels(status)
        }
        registry.addCollector(ProcessCollector().collect)
    }

    /// Registers the providers' series at zero, so their families show every provider from the start.
    func prepare(providers: [String]) {
        for provider in providers {
            breakerState.labels(provider).set(0)
        }
    }

    func breakerChanged(provider: String, to state: CircuitBreaker.State) {
        breakerState.labels(provider).set(Double(state.rawValue))
        breakerTransitions.labels(provider, state.metricName).increment()
    }
}

extension CircuitBreaker.State {
    /// The `to` label of the transitions counter.
    var metricName: String {
        switch self {
        case .closed: return "closed"
        case .halfOpen: return "half_open"
        case .open: return "open"
        }
    }
}
