import Agent
import JSON
import LLM
import Locks
import Tasks
import Tracing

/// Runs a task as one chat turn through the same pipeline as `/chat`: the agent profile, the gateway (retries,
/// breaker, fallbacks), the token budget of the key that submitted it, and the agent metrics.
///
/// Streams the answer (the events route shows it as it comes) but keeps no conversation: a task is one turn.
/// Owner: none; immutable.
struct ChatTaskExecutor: TaskExecutor {
    let service: ChatService
    let budget: (any TokenBudgeting)?
    let metrics: AgentdMetrics?
    /// Runs the tasks of agents with tools.
    var loop: AgentLoop?

    func execute(
        _ task: TaskRecord, onText: @escaping @Sendable (String) -> Void, onTool: @escaping @Sendable (TaskToolEvent) -> Void,
        completion finished: @escaping @Sendable (TaskOutcome) -> Void
    ) -> TaskRun {
        // The run's span: the root of a trace of its own, linked to the request that submitted the task; its model
        // calls and tools are its children.
        let run = service.gateway.tracer.map { tracer in (tracer, tracer.startSpan(parent: nil), Tracer.nowUnixNs()) }
        let completion: @Sendable (TaskOutcome) -> Void = { outcome in
            if let (tracer, context, startUnixNs) = run {
                tracer.record(ChatTaskExecutor.runSpan(task, context: context, startUnixNs: startUnixNs, outcome: outcome))
            }
            finished(outcome)
        }
        let prepared: PreparedChat
        do {
            prepared = try service.prepareSingleTurn(ChatTurnInput(
                message: task.input.message, agent: task.input.agent, model: task.input.model,
                systemPrompt: task.input.systemPrompt, maxTokens: task.input.maxTokens, requestID: task.id,
                traceparent: run?.1.traceparent
            ))
        } catch {
            completion(.failed(error: error.message, model: nil, tokens: 0))
            return TaskRun {}
        }
        if let loop, prepared.agent.hasTools { return runAgent(task, prepared, loop: loop, onTool: onTool, completion: completion) }
        let text = Locked("")
        let report = Locked<GatewayReport?>(nil)
        let budget = self.budget, metrics = self.metrics, agent = prepared.agent.name
        let call = service.gateway.stream(
            prepared.request, resolution: prepared.resolution, fallbacks: prepared.fallbacks, callbacks: ChatStreamCallbacks(
            onEvent: { event in
                if case .text(let piece) = event {
                    text.withLock { $0 += piece }
                    onText(piece)
                }
                return .proceed
            },
            onComplete: { result in
                let final = report.withLock { $0 }
                let model = final?.model ?? prepared.model
                let tokens = final?.usage.totalTokens ?? 0
                metrics?.agentRequests.labels(agent, (try? result.get()) != nil ? "success" : "error").increment()
                switch result {
                case .success(let summary):
                    completion(.completed(text: text.withLock { $0 }, model: model, tokens: max(tokens, summary.usage.totalTokens)))
                case .failure(let error):
                    let failure = APIFailure(error)
                    completion(.failed(error: failure.message, model: model, tokens: tokens, retryable: ChatTaskExecutor.mayPass(failure)))
                }
            }
        ), report: { final in
            report.withLock { $0 = final }
            if let client = task.client, let budget, final.usage.totalTokens > 0 { budget.charge(client, tokens: final.usage.totalTokens) }
        })
        return TaskRun { call.cancel() }
    }

    /// A task of an agent with tools: the whole loop, its final answer the result.
    private func runAgent(
        _ task: TaskRecord, _ prepared: PreparedChat, loop: AgentLoop, onTool: @escaping @Sendable (TaskToolEvent) -> Void,
        completion: @escaping @Sendable (TaskOutcome) -> Void
    ) -> TaskRun {
        let budget = self.budget, metrics = self.metrics, agent = prepared.agent.name
        let finalReport = Locked<GatewayReport?>(nil)
        let call = loop.run(prepared, events: { event in
            switch event {
            case .toolCall(let call):
                onTool(TaskToolEvent(kind: .toolCall, json: .object(JSONObject([
                    ("id", .string(call.id)), ("name", .string(call.name)), ("arguments", .string(call.arguments)),
                ]))))
            case .toolResult(let step):
                onTool(TaskToolEvent(kind: .toolResult, json: step.json))
            case .text:
                break   // Not streamed: the answer is the task's result.
            }
            return .proceed
        }, report: { report, _ in
            finalReport.withLock { $0 = report }
            if let client = task.client, let budget, report.usage.totalTokens > 0 { budget.charge(client, tokens: report.usage.totalTokens) }
        }) { result in
            let report = finalReport.withLock { $0 }
            let model = report?.model ?? prepared.model
            metrics?.agentRequests.labels(agent, (try? result.get()) != nil ? "success" : "error").increment()
            switch result {
            case .success(let answer):
                completion(.completed(
                    text: answer.completion.text, model: model, tokens: answer.completion.usage.totalTokens, steps: answer.steps.map(\.json)
                ))
            case .failure(let error):
                let failure = ChatEndpoint.failure(error)
                // Only the upstream's failures may pass by the next run (max_steps and the budget will not).
                var retryable = false
                if case .provider = error { retryable = ChatTaskExecutor.mayPass(failure) }
                completion(.failed(error: failure.message, model: model, tokens: report?.usage.totalTokens ?? 0, retryable: retryable))
            }
        }
        return TaskRun { call.cancel() }
    }

    /// A task run's span (a consumer of the queue), linked to the submitting request's span.
    static func runSpan(_ task: TaskRecord, context: TraceContext, startUnixNs: UInt64, outcome: TaskOutcome) -> SpanData {
        var attributes: [(key: String, value: AttributeValue)] = [
            ("agentd.task_id", .string(task.id)), ("agentd.task.attempt", .int(task.attempts)),
        ]
        if let agent = task.input.agent { attributes.append(("agentd.agent", .string(agent))) }
        var error: String?
        switch outcome {
        case .completed: attributes.append(("agentd.task.outcome", .string("completed")))
        case .failed(let message, _, _, _):
            attributes.append(("agentd.task.outcome", .string("failed")))
            error = message
        }
        return SpanData(
            context: context, parentSpanID: nil, name: "task.run", kind: .consumer, startUnixNs: startUnixNs, attributes: attributes,
            links: task.input.traceparent.flatMap(TraceContext.parse).map { [$0] } ?? [], error: error
        )
    }

    /// 502, 503, 504: the upstream failed, was unavailable or too slow; the next run may get through.
    static func mayPass(_ failure: APIFailure) -> Bool { [502, 503, 504].contains(failure.status.code) }
}
