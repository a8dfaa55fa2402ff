import Dispatch
import JSON
import LLM
import Tracing
import Locks

/// Runs one tool call (an HTTP tool through the transfer engines, in agentd). `completion` runs once, on any
/// thread; the handle cancels the call (its completion then reports an error or does not run at all).
public protocol ToolRunning: Sendable {
    func run(
        _ tool: AgentTool, arguments: [UInt8], context: ToolCallContext, completion: @escaping @Sendable (ToolCallResult) -> Void
    ) -> ToolCallHandle
}

/// What a tool call carries besides its arguments: the request it serves.
public struct ToolCallContext: Sendable {
    public let requestID: String?
    public let traceparent: String?
}

public struct ToolCallHandle: Sendable {
    public let cancel: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) { self.cancel = cancel }
}

/// How a tool call ended: the `outcome` label values of `agentd_tool_calls_total` (docs/api.md, Metrics).
public enum ToolOutcome: String, Sendable, CaseIterable {
    case success, error, timeout, invalid
}

public struct ToolCallResult: Sendable, Equatable {
    public var outcome: ToolOutcome
    /// The result (or the error) as the model reads it.
    public var content: String

    public init(outcome: ToolOutcome, content: String) {
        self.outcome = outcome
        self.content = content
    }
}

/// One tool call of a run and what came of it: `steps` of the `/chat` answer.
public struct AgentStep: Sendable, Equatable {
    public let id: String
    public let name: String
    public let arguments: String
    public let result: ToolCallResult
    public let seconds: Double

    public var ok: Bool { result.outcome == .success }

    /// `{"id","name","arguments","ok","content"}`, the `tool_result` event's fields plus the arguments
    /// (docs/api.md, POST /chat: `steps`).
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("name", .string(name)), ("arguments", .string(arguments)), ("ok", .bool(ok)),
            ("content", .string(result.content)),
        ]))
    }
}

/// What a run tells its caller while it goes: each tool call as it starts, each result as it ends.
public enum AgentEvent: Sendable {
    /// A piece of a model's answer, as it streams (runs with `streaming`).
    case text(String)
    case toolCall(ToolCall)
    case toolResult(AgentStep)
}

/// A run's end.
public struct AgentAnswer: Sendable {
    /// The final answer, its usage the sum of every model call's.
    public var completion: ChatCompletion
    public var steps: [AgentStep]
    public var modelCalls: Int
}

public enum AgentRunError: Error, Sendable {
    case provider(ProviderError)
    /// `max_steps` model calls were made and the model still asked for tools.
    case maxSteps(Int)
    /// A later model call's budget reservation was refused: the daily budget is spent (429 until midnight UTC).
    case budgetExceeded(retryAfterSeconds: Int)
    /// The budget could not be checked (shared state unreachable): 503.
    case budgetUnavailable(String)
}

/// The daily budget a run's later model calls reserve from, one reservation each, like a request's; the first
/// call is covered by the request's own reservation (taken by the client guard).
public struct AgentRunBudget: Sendable {
    public let budget: any TokenBudgeting
    public let client: String
    /// Output tokens a call may use when the request sets no `max_tokens`.
    public let defaultMaxTokens: Int

    public init(budget: any TokenBudgeting, client: String, defaultMaxTokens: Int) {
        self.budget = budget
        self.client = client
        self.defaultMaxTokens = defaultMaxTokens
    }
}

/// Told of each tool call and each run (metrics and logs).
public protocol AgentLoopObserver: Sendable {
    func toolCallFinished(agent: String, tool: String, outcome: ToolOutcome, seconds: Double, requestID: String?)
    func runFinished(agent: String, modelCalls: Int)
}

/// The agent loop (README.md, API, "Agents that act"): model call → the tool calls it asked for, run in parallel, their
/// results back as tool messages in the model's order → the next model call; until an answer without tool
/// calls, or `max_steps` model calls. Every model call goes through the gateway (retries, breaker, fallbacks;
/// never the cache); a tool's failure, timeout or invalid arguments go back to the model as an error result.
///
/// Owner: none; each run's state is its `AgentRun` (a lock), reached from the gateway's and the tools' threads.
public final class AgentLoop: Sendable {
    let gateway: LLMGateway
    let runner: any ToolRunning
    /// The tools listed at run time (MCP servers); nil: each agent's own `tools`.
    let toolSource: (any AgentToolSource)?
    let observer: (any AgentLoopObserver)?
    /// AGENTD_TOOL_RESULT_MAX_BYTES: a longer result is cut, with a marker saying so.
    let resultMaxBytes: Int

    public init(
        gateway: LLMGateway, runner: any ToolRunning, toolSource: (any AgentToolSource)? = nil, observer: (any AgentLoopObserver)?,
        resultMaxBytes: Int = 65_536
    ) {
        self.gateway = gateway
        self.runner = runner
        self.toolSource = toolSource
        self.observer = observer
        self.resultMaxBytes = resultMaxBytes
    }

    /// Runs `prepared` (its agent has tools) to its end. `report` gets the sum of the model calls' reports once,
    /// before `completion`, and the tokens of the first call (what the request's own reservation covers; each
    /// later call settles a reservation of its own from `budget`). The returned call cancels the model call and the tool calls in flight. `streaming`:
    /// every model call streams, its text reaching `events` as it comes (a client's stream); else each model
    /// call is answered whole.
    public func run(
        _ prepared: PreparedChat, streaming: Bool = false, budget: AgentRunBudget? = nil,
        events: @escaping @Sendable (AgentEvent) -> TransferFlow,
        report: @escaping @Sendable (_ total: GatewayReport, _ firstCallTokens: Int) -> Void,
        completion: @escaping @Sendable (Result<AgentAnswer, AgentRunError>) -> Void
    ) -> ProviderCall {
        var request = prepared.request
        let tools = toolSource?.tools(for: prepared.agent) ?? prepared.agent.tools
        if !tools.isEmpty { request.tools = .array(tools.map(\.functionJSON)) }
        let run = AgentRun(
            loop: self, prepared: prepared, tools: tools, request: request, streaming: streaming, budget: budget, events: events,
            report: report, completion: completion
        )
        run.step()
        return ProviderCall(cancel: { run.cancel() }, resume: { run.resume() })
    }

    /// `content` cut to `resultMaxBytes` (on a character boundary), with a marker saying how much was left out.
    static func bounded(_ content: String, maxBytes: Int) -> String {
        let bytes = content.utf8
        guard bytes.count > maxBytes else { return content }
        var cut = content.utf8.index(content.utf8.startIndex, offsetBy: maxBytes)
        while cut > content.utf8.startIndex && !content.indices.contains(cut) { cut = content.utf8.index(before: cut) }
        return String(content[..<cut]) + "\n[truncated: \(bytes.count - content.utf8.distance(from: content.utf8.startIndex, to: cut)) more bytes]"
    }
}

/// One run of the loop. Owner: `state` (a lock); the gateway's and the tools' callbacks take it in turn.
final class AgentRun: Sendable {
    private struct State {
        var messages: [ChatMessage]
        var modelCalls = 0
        var steps: [AgentStep] = []
        var usage = ChatUsage()
        var firstCallTokens: Int?
        var attempts = 0
        var lastReport: GatewayReport?
        var cancelled = false
        var finished = false
        var modelCall: ProviderCall?
        var toolCalls: [ToolCallHandle] = []
    }

    private let loop: AgentLoop
    private let prepared: PreparedChat
    /// The agent's tools for this run (its MCP servers' as listed when the run began).
    private let tools: [AgentTool]
    private let request: ChatRequest
    private let streaming: Bool
    private let budget: AgentRunBudget?
    /// A stream's text piece may answer `.pause` (the client is slow): the model call waits for `resume()`.
    private let events: @Sendable (AgentEvent) -> TransferFlow
    private let report: @Sendable (GatewayReport, Int) -> Void
    private let completion: @Sendable (Result<AgentAnswer, AgentRunError>) -> Void
    private let state: Locked<State>

    init(
        loop: AgentLoop, prepared: PreparedChat, tools: [AgentTool], request: ChatRequest, streaming: Bool, budget: AgentRunBudget?,
        events: @escaping @Sendable (AgentEvent) -> TransferFlow,
        report: @escaping @Sendable (GatewayReport, Int) -> Void, completion: @escaping @Sendable (Result<AgentAnswer, AgentRunError>) -> Void
    ) {
        self.loop = loop
        self.prepared = prepared
        self.tools = tools
        self.request = request
        self.streaming = streaming
        self.budget = budget
        self.events = events
        self.report = report
        self.completion = completion
        state = Locked(State(messages: request.messages))
    }

    /// The next model call; after the first, once the budget reserved for it (when there is one).
    func step() {
        let next = state.withLock { state -> (request: ChatRequest, number: Int)? in
            guard !state.cancelled, !state.finished else { return nil }
            state.modelCalls += 1
            var request = self.request
            request.messages = state.messages
            return (request, state.modelCalls)
        }
        guard let next else { return }
        guard let budget, next.number > 1 else { return call(next.request, reservation: nil) }
        let input = next.request.messages.reduce(0) { $0 + $1.content.text.utf8.count + $1.toolCalls.reduce(0) { $0 + $1.arguments.utf8.count } }
        let tokens = (next.request.maxTokens ?? budget.defaultMaxTokens) + (input + 3) / 4
        budget.budget.reserve(budget.client, tokens: tokens) { [self] result in
            switch result {
            case .failure(let unavailable):
                finish(.failure(.budgetUnavailable(unavailable.reason)))
            case .success(let admission):
                guard admission.decision.allowed, let reservation = admission.reservation else {
                    finish(.failure(.budgetExceeded(retryAfterSeconds: admission.decision.retryAfterSeconds)))
                    return
                }
                call(next.request, reservation: reservation)
            }
        }
    }

    private func call(_ next: ChatRequest, reservation: BudgetReservation?) {
        let call = modelCall(next) { [self] result, report in
            reservation?.settle(usedTokens: report.usage.totalTokens)
            let proceed = state.withLock { state -> Bool in
                if state.firstCallTokens == nil { state.firstCallTokens = report.usage.totalTokens }
                state.usage.inputTokens += report.usage.inputTokens
                state.usage.outputTokens += report.usage.outputTokens
                state.attempts += report.attempts
                state.lastReport = report
                state.modelCall = nil
                return !state.cancelled
            }
            switch result {
            case .failure(let error):
                finish(.failure(.provider(error)))
            case .success(let answer) where answer.toolCalls.isEmpty:
                finish(.success(answer))
            case .success(let answer):
                guard proceed else {
                    finish(.failure(.provider(ProviderError(provider: report.provider, kind: .cancelled, message: "the client left"))))
                    return
                }
                let calls = state.withLock { $0.modelCalls }
                if calls >= prepared.agent.maxSteps {
                    finish(.failure(.maxSteps(prepared.agent.maxSteps)))
                    return
                }
                runTools(answer)
            }
        }
        let cancelledMeanwhile = state.withLock { state -> Bool in
            if !state.finished { state.modelCall = call }
            return state.cancelled
        }
        if cancelledMeanwhile { call.cancel() }
    }

    /// One model call: answered whole, or streamed with its text passed on as it comes and its tool calls put
    /// together from their pieces.
    private func modelCall(
        _ request: ChatRequest, completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>, GatewayReport) -> Void
    ) -> ProviderCall {
        guard streaming else {
            return loop.gateway.complete(
                request, resolution: prepared.resolution, fallbacks: prepared.fallbacks, useCache: false, completion: completion
            )
        }
        let answer = Locked(StreamedAnswer())
        let finalReport = Locked<GatewayReport?>(nil)
        let events = self.events, prepared = self.prepared
        return loop.gateway.stream(request, resolution: prepared.resolution, fallbacks: prepared.fallbacks, callbacks: ChatStreamCallbacks(
            onEvent: { event in
                answer.withLock { $0.add(event) }
                if case .text(let piece) = event { return events(.text(piece)) }
                return .proceed
            },
            onComplete: { result in
                let report = finalReport.withLock { $0 }
                    ?? GatewayReport(model: prepared.model, provider: prepared.resolution.provider.name)
                switch result {
                case .failure(let error):
                    completion(.failure(error), report)
                case .success(let summary):
                    completion(.success(answer.withLock { $0.completion(summary) }), report)
                }
            }
        ), report: { report in finalReport.withLock { $0 = report } })
    }

    /// Runs the answer's tool calls at once; when the last ends, their results go back in the model's order.
    private func runTools(_ answer: ChatCompletion) {
        let calls = answer.toolCalls
        let results = Locked<[AgentStep?]>(Array(repeating: nil, count: calls.count))
        let remaining = Locked(calls.count)
        let parentTrace = prepared.request.traceparent.flatMap(TraceContext.parse)
        for (index, call) in calls.enumerated() {
            _ = events(.toolCall(call))
            let startedMs = loop.gateway.clock.nowMs
            // The tool call's span: the tool (HTTP or MCP) is sent its traceparent.
            let span = loop.gateway.tracer.map { tracer in (tracer, tracer.startSpan(parent: parentTrace), Tracer.nowUnixNs()) }
            let context = ToolCallContext(requestID: prepared.request.requestID, traceparent: span?.1.traceparent ?? prepared.request.traceparent)
            let done: @Sendable (ToolCallResult) -> Void = { [self] result in
                let seconds = Double(loop.gateway.clock.nowMs - startedMs) / 1e3
                if let (tracer, spanContext, startUnixNs) = span, spanContext.sampled {
                    tracer.record(SpanData(
                        context: spanContext, parentSpanID: parentTrace?.spanID, name: "execute_tool \(call.name)", kind: .internal,
                        startUnixNs: startUnixNs, attributes: [
                            ("gen_ai.operation.name", .string("execute_tool")), ("gen_ai.tool.name", .string(call.name)),
                            ("gen_ai.tool.call.id", .string(call.id)), ("agentd.agent", .string(prepared.agent.name)),
                            ("agentd.tool.outcome", .string(result.outcome.rawValue)),
                        ], error: result.outcome == .success ? nil : "tool \(result.outcome.rawValue)"
                    ))
                }
                let result = ToolCallResult(outcome: result.outcome, content: AgentLoop.bounded(result.content, maxBytes: loop.resultMaxBytes))
                let step = AgentStep(id: call.id, name: call.name, arguments: call.arguments, result: result, seconds: seconds)
                loop.observer?.toolCallFinished(
                    agent: prepared.agent.name, tool: call.name, outcome: result.outcome, seconds: seconds, requestID: prepared.request.requestID
                )
                _ = events(.toolResult(step))
                results.withLock { $0[index] = step }
                let last = remaining.withLock { count -> Bool in
                    count -= 1
                    return count == 0
                }
                if last { toolsEnded(answer, steps: results.withLock { $0.compactMap { $0 } }) }
            }
            guard let tool = tools.first(where: { $0.name == call.name }) else {
                done(ToolCallResult(outcome: .invalid, content: "error: no tool named \"\(call.name)\"; the tools are \(tools.map(\.name).joined(separator: ", "))"))
                continue
            }
            let arguments: JSONValue
            do {
                arguments = call.arguments.isEmpty ? .object(JSONObject([])) : try JSONValue.parse(Array(call.arguments.utf8))
            } catch {
                done(ToolCallResult(outcome: .invalid, content: "error: the arguments are not valid JSON: \(error)"))
                continue
            }
            if let problem = JSONSchema.problem(arguments, against: tool.parameters) {
                done(ToolCallResult(outcome: .invalid, content: "error: invalid arguments: \(problem)"))
                continue
            }
            let handle = loop.runner.run(tool, arguments: arguments.serialized(), context: context, completion: done)
            let cancelledMeanwhile = state.withLock { state -> Bool in
                state.toolCalls.append(handle)
                return state.cancelled
            }
            if cancelledMeanwhile { handle.cancel() }
        }
    }

    private func toolsEnded(_ answer: ChatCompletion, steps: [AgentStep]) {
        let proceed = state.withLock { state -> Bool in
            state.toolCalls.removeAll()
            state.steps += steps
            state.messages.append(ChatMessage(role: .assistant, content: .text(answer.text), toolCalls: answer.toolCalls))
            for step in steps {
                state.messages.append(ChatMessage(role: .tool, content: .text(step.result.content), toolCallID: step.id, name: step.name))
            }
            return !state.cancelled
        }
        if proceed { step() } else {
            finish(.failure(.provider(ProviderError(provider: prepared.resolution.provider.name, kind: .cancelled, message: "the client left"))))
        }
    }

    private func finish(_ result: Result<ChatCompletion, AgentRunError>) {
        let ended = state.withLock { state -> (AgentAnswer?, GatewayReport, Int, Int)? in
            guard !state.finished else { return nil }
            state.finished = true
            var total = state.lastReport ?? GatewayReport(model: prepared.model, provider: prepared.resolution.provider.name)
            total.usage = state.usage
            total.attempts = state.attempts
            var answer: AgentAnswer?
            if case .success(var completion) = result {
                completion.usage = state.usage
                answer = AgentAnswer(completion: completion, steps: state.steps, modelCalls: state.modelCalls)
            }
            return (answer, total, state.modelCalls, state.firstCallTokens ?? 0)
        }
        guard let (answer, total, modelCalls, firstCallTokens) = ended else { return }
        loop.observer?.runFinished(agent: prepared.agent.name, modelCalls: modelCalls)
        report(total, firstCallTokens)
        switch result {
        case .success: completion(.success(answer!))
        case .failure(let error): completion(.failure(error))
        }
    }

    /// The client caught up: the model call that paused for it goes on.
    func resume() { state.withLock { $0.modelCall }?.resume() }

    func cancel() {
        let (call, tools) = state.withLock { state -> (ProviderCall?, [ToolCallHandle]) in
            state.cancelled = true
            defer { state.toolCalls.removeAll() }
            return (state.modelCall, state.toolCalls)
        }
        call?.cancel()
        for tool in tools { tool.cancel() }
    }
}
