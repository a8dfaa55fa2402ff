import Dispatch
import LLM
import Locks
import Resilience
import Tracing

/// One call through the gateway: tries the candidates in order, each with its breaker permit and retries.
///
/// Owner: the `state` lock. Attempts run one at a time; their callbacks come from the transfer engines' threads,
/// retries start on the gateway's retry queue. The caller's completion runs exactly once (`finished`).
final class GatewayCall: Sendable {
    enum Mode: Sendable {
        case complete(@Sendable (Result<ChatCompletion, ProviderError>, GatewayReport) -> Void)
        case stream(ChatStreamCallbacks, @Sendable (GatewayReport) -> Void)
        /// Embeddings: retries and the breaker, no fallbacks (the fallback models are chat models).
        case embed(EmbeddingRequest, @Sendable (Result<EmbeddingResponse, ProviderError>, GatewayReport) -> Void)
    }

    /// What an attempt that succeeded produced, by mode.
    private enum Answer {
        case completion(ChatCompletion)
        case summary(StreamSummary)
        case embeddings(EmbeddingResponse)

        var usage: ChatUsage {
            switch self {
            case .completion(let completion): return completion.usage
            case .summary(let summary): return summary.usage
            case .embeddings(let response): return response.usage
            }
        }
    }

    private struct State {
        var candidateIndex = 0
        /// Attempts on the current candidate.
        var attempt = 0
        var report: GatewayReport
        var current: ProviderCall?
        /// The serial of the attempt in flight (0: none). A provider may answer before `complete` returns (the
        /// mock does): the attempt then ended before its call could be stored, and must not be stored after.
        var inFlight: UInt64 = 0
        var lastSerial: UInt64 = 0
        var cancelled = false
        var finished = false
        /// A stream event reached the caller: from then on nothing is retried.
        var emitted = false
        var lastError: ProviderError?
        /// Retries, fallbacks and refusals, for the call's span.
        var events: [SpanEvent] = []
    }

    /// The call's span (a model call, GenAI conventions), when tracing is on.
    private struct Span {
        let context: TraceContext
        let parentSpanID: UInt64?
        let startUnixNs: UInt64
    }

    private let gateway: LLMGateway
    private let request: ChatRequest
    /// The chosen model, then this call's fallbacks that are not the same model (`candidate(at:)`).
    private let primary: ProviderRegistry.Resolution
    /// This call's fallback models: an agent's own, or the gateway's.
    private let fallbacks: [ProviderRegistry.Resolution]
    private let mode: Mode
    private let startedMs: Int64
    private let state: Locked<State>
    private let span: Span?

    init(
        gateway: LLMGateway, request: ChatRequest = ChatRequest(model: "", messages: []), primary: ProviderRegistry.Resolution,
        fallbacks: [ProviderRegistry.Resolution]? = nil, mode: Mode
    ) {
        self.gateway = gateway
        self.request = request
        self.primary = primary
        self.fallbacks = fallbacks ?? gateway.fallbacks
        self.mode = mode
        startedMs = gateway.clock.nowMs
        state = Locked(State(report: GatewayReport(model: primary.qualifiedName, provider: primary.provider.name)), compact: true)
        if let tracer = gateway.tracer {
            var callerTrace = request.traceparent
            if case .embed(let embedding, _) = mode { callerTrace = embedding.traceparent }
            let parent = callerTrace.flatMap(TraceContext.parse)
            span = Span(context: tracer.startSpan(parent: parent), parentSpanID: parent?.spanID, startUnixNs: Tracer.nowUnixNs())
        } else {
            span = nil
        }
    }

    private func note(_ event: String, _ attributes: [(key: String, value: AttributeValue)]) {
        guard span?.context.sampled == true else { return }
        state.withLock { $0.events.append(SpanEvent(name: event, attributes: attributes)) }
    }

    /// Records the call's span once it ended: the model asked for and the one that answered, usage, the finish
    /// reason, attempts, and the error if it failed.
    private func recordSpan(_ report: GatewayReport, error: ProviderError?, finishReason: FinishReason? = nil) {
        guard let span, span.context.sampled, let tracer = gateway.tracer else { return }
        var operation = "chat"
        var attributes: [(key: String, value: AttributeValue)] = []
        attributes.reserveCapacity(12)
        switch mode {
        case .embed: operation = "embeddings"
        case .complete, .stream:
            if let maxTokens = request.maxTokens { attributes.append(("gen_ai.request.max_tokens", .int(maxTokens))) }
            if let temperature = request.temperature { attributes.append(("gen_ai.request.temperature", .double(temperature))) }
        }
        attributes.append(("gen_ai.operation.name", .string(operation)))
        attributes.append(("gen_ai.system", .string(primary.provider.name)))
        attributes.append(("gen_ai.request.model", .string(primary.model)))
        attributes.append(("gen_ai.response.model", .string(report.model)))
        attributes.append(("agentd.attempts", .int(report.attempts)))
        if error == nil {
            attributes.append(("gen_ai.usage.input_tokens", .int(report.usage.inputTokens)))
            attributes.append(("gen_ai.usage.output_tokens", .int(report.usage.outputTokens)))
        }
        if let finishReason { attributes.append(("gen_ai.response.finish_reasons", .strings([finishReason.rawValue]))) }
        if let cache = report.cache { attributes.append(("agentd.cache", .string(cache.metricResult ?? "bypass"))) }
        if let error { attributes.append(("error.type", .string(error.retryReason))) }
        tracer.record(SpanData(
            context: span.context, parentSpanID: span.parentSpanID, name: "\(operation) \(primary.model)", kind: .client,
            startUnixNs: span.startUnixNs, attributes: attributes, events: state.withLock { $0.events },
            error: error.map(\.description)
        ))
    }

    var handle: ProviderCall {
        ProviderCall(cancel: { [self] in cancel() }, resume: { [self] in state.withLock { $0.current }?.resume() })
    }

    func start() { attemptCurrentCandidate() }

    private func cancel() {
        let current = state.withLock { state -> ProviderCall? in
            state.cancelled = true
            return state.current
        }
        if let current {
            // Its completion (cancelled) ends the call.
            current.cancel()
        } else {
            // Waiting for a retry timer, or not started: nothing will call back, end it here.
            end(.failure(ProviderError(provider: primary.provider.name, kind: .cancelled, message: "cancelled")))
        }
    }

    /// The candidate at `index`: 0 is the chosen model, then each fallback that is not that same model.
    private func candidate(at index: Int) -> ProviderRegistry.Resolution? {
        if index == 0 { return primary }
        if case .embed = mode { return nil }
        var remaining = index
        for fallback in fallbacks where fallback.qualifiedName != primary.qualifiedName {
            remaining -= 1
            if remaining == 0 { return fallback }
        }
        return nil
    }

    /// Starts an attempt on the current candidate, or moves on when its circuit is open.
    private func attemptCurrentCandidate() {
        while true {
            let (index, cancelled) = state.withLock { ($0.candidateIndex, $0.cancelled) }
            if cancelled { return }
            guard let candidate = candidate(at: index) else {
                end(.failure(state.withLock { $0.lastError } ?? ProviderError(
                    provider: primary.provider.name, kind: .unavailable, message: "no model left to try"
                )))
                return
            }
            let guardian = gateway.guards[candidate.provider.name]!
            let admission = guardian.breaker.acquire()
            guard case .permitted(let permit) = admission else {
                gateway.observer.attemptFinished(
                    provider: candidate.provider.name, model: candidate.model, outcome: .rejected, seconds: 0, usage: nil
                )
                note("circuit_open", [("gen_ai.system", .string(candidate.provider.name))])
                var waitMs = 1000
                if case .rejected(let retryAfterMs) = admission { waitMs = retryAfterMs }
                state.withLock {
                    $0.lastError = ProviderError(
                        provider: candidate.provider.name, kind: .unavailable, message: "circuit open", retryAfterMs: waitMs
                    )
                }
                moveToNextCandidate(from: candidate)
                continue
            }
            let attempt = state.withLock { state -> Int in
                state.attempt += 1
                state.report.attempts += 1
                state.report.model = candidate.qualifiedName
                state.report.provider = candidate.provider.name
                return state.attempt
            }
            if attempt == 1 { guardian.retryBudget.recordCall() }
            run(candidate, permit: permit, guardian: guardian, attempt: attempt)
            return
        }
    }

    private func moveToNextCandidate(from candidate: ProviderRegistry.Resolution) {
        let next = state.withLock { state -> Int in
            state.candidateIndex += 1
            state.attempt = 0
            return state.candidateIndex
        }
        if let fallback = self.candidate(at: next) {
            gateway.observer.fellBack(from: candidate.qualifiedName, to: fallback.qualifiedName)
            note("fallback", [("agentd.from", .string(candidate.qualifiedName)), ("agentd.to", .string(fallback.qualifiedName))])
        }
    }

    private func run(_ candidate: ProviderRegistry.Resolution, permit: CircuitBreaker.Permit, guardian: ProviderGuard, attempt: Int) {
        var upstreamRequest = request
        upstreamRequest.model = candidate.model
        if let span { upstreamRequest.traceparent = span.context.traceparent }
        let attemptStartedMs = gateway.clock.nowMs
        let serial = state.withLock { state -> UInt64 in
            state.lastSerial += 1
            state.inFlight = state.lastSerial
            return state.lastSerial
        }
        let call: ProviderCall
        switch mode {
        case .complete:
            call = candidate.provider.complete(upstreamRequest) { [self] result in
                attemptEnded(candidate, serial: serial, permit: permit, guardian: guardian, attempt: attempt,
                             startedMs: attemptStartedMs, result: result.map(Answer.completion))
            }
        case .embed(var embedding, _):
            embedding.model = candidate.model
            if let span { embedding.traceparent = span.context.traceparent }
            guard let provider = candidate.provider as? any EmbeddingProviding else {
                end(.failure(ProviderError(
                    provider: candidate.provider.name, kind: .invalidRequest,
                    message: "provider \(candidate.provider.name) has no embeddings (an OpenAI-kind provider or mock has)"
                )))
                return
            }
            call = provider.embed(embedding) { [self] result in
                attemptEnded(candidate, serial: serial, permit: permit, guardian: guardian, attempt: attempt,
                             startedMs: attemptStartedMs, result: result.map(Answer.embeddings))
            }
        case .stream(let callbacks, _):
            let sawFirst = Locked(false, compact: true)
            call = candidate.provider.stream(upstreamRequest, callbacks: ChatStreamCallbacks(
                onEvent: { [self] event in
                    if !sawFirst.withLock({ seen in defer { seen = true }; return seen }) {
                        gateway.observer.firstToken(
                            provider: candidate.provider.name, model: candidate.model,
                            seconds: Double(gateway.clock.nowMs - attemptStartedMs) / 1000
                        )
                        state.withLock { $0.emitted = true }
                    }
                    return callbacks.onEvent(event)
                },
                onComplete: { [self] result in
                    attemptEnded(candidate, serial: serial, permit: permit, guardian: guardian, attempt: attempt,
                                 startedMs: attemptStartedMs, result: result.map(Answer.summary))
                }
            ))
        }
        let cancelled = state.withLock { state -> Bool in
            guard state.inFlight == serial else { return false }
            state.current = call
            return state.cancelled
        }
        if cancelled { call.cancel() }
    }

    private func attemptEnded(
        _ candidate: ProviderRegistry.Resolution, serial: UInt64, permit: CircuitBreaker.Permit, guardian: ProviderGuard,
        attempt: Int, startedMs: Int64, result: Result<Answer, ProviderError>
    ) {
        state.withLock { state in
            if state.inFlight == serial {
                state.inFlight = 0
                state.current = nil
            }
        }
        let seconds = Double(gateway.clock.nowMs - startedMs) / 1000
        switch result {
        case .success(let answer):
            permit.record(.success)
            gateway.observer.attemptFinished(
                provider: candidate.provider.name, model: candidate.model, outcome: .success, seconds: seconds, usage: answer.usage
            )
            state.withLock { $0.report.usage = answer.usage }
            switch answer {
            case .completion(let completion): finish(.success(completion))
            case .summary(let summary): finishStream(.success(summary))
            case .embeddings(let response): finishEmbedding(.success(response))
            }
        case .failure(let error):
            permit.record(error.countsAgainstBreaker ? .failure : .ignored)
            if error.kind != .cancelled {
                gateway.observer.attemptFinished(
                    provider: candidate.provider.name, model: candidate.model,
                    outcome: error.isTimeout ? .timeout : .error, seconds: seconds, usage: nil
                )
            }
            retryOrFallBack(after: error, candidate: candidate, guardian: guardian, attempt: attempt)
        }
    }

    private func retryOrFallBack(after error: ProviderError, candidate: ProviderRegistry.Resolution, guardian: ProviderGuard, attempt: Int) {
        let (cancelled, emitted) = state.withLock { state -> (Bool, Bool) in
            state.lastError = error
            return (state.cancelled, state.emitted)
        }
        if cancelled || error.kind == .cancelled {
            end(.failure(error))
            return
        }
        var random = SystemRandom()
        let decision = gateway.settings.retry.decide(
            attempt: attempt,
            failure: RetryableFailure(isRetryable: error.isRetryable, retryAfterMs: error.retryAfterMs, reason: error.retryReason),
            clientHasBytes: emitted, nowMs: gateway.clock.nowMs, deadlineMs: startedMs + gateway.settings.callDeadlineMs,
            budget: guardian.retryBudget, using: &random
        )
        switch decision {
        case .retry(let delayMs):
            gateway.observer.retrying(provider: candidate.provider.name, reason: error.retryReason, attempt: attempt, delayMs: delayMs)
            note("retry", [("agentd.attempt", .int(attempt)), ("agentd.delay_ms", .int(delayMs)), ("error.type", .string(error.retryReason))])
            gateway.clock.schedule(afterMs: delayMs, on: gateway.retryQueue) { [self] in attemptCurrentCandidate() }
        case .stop:
            // Fallbacks take over only from a retryable failure, and never once the client has bytes.
            guard error.isRetryable && !emitted else {
                end(.failure(error))
                return
            }
            moveToNextCandidate(from: candidate)
            attemptCurrentCandidate()
        }
    }

    /// Ends the call with a failure, whatever its mode.
    private func end(_ failure: Result<Never, ProviderError>) {
        guard case .failure(let error) = failure else { return }
        switch mode {
        case .complete: finish(.failure(error))
        case .stream: finishStream(.failure(error))
        case .embed: finishEmbedding(.failure(error))
        }
    }

    private func finish(_ result: Result<ChatCompletion, ProviderError>) {
        guard case .complete(let completion) = mode, let report = claimFinish() else { return }
        recordSpan(report, error: result.failure, finishReason: (try? result.get())?.finishReason)
        completion(result, report)
    }

    private func finishEmbedding(_ result: Result<EmbeddingResponse, ProviderError>) {
        guard case .embed(_, let completion) = mode, let report = claimFinish() else { return }
        recordSpan(report, error: result.failure)
        completion(result, report)
    }

    private func finishStream(_ result: Result<StreamSummary, ProviderError>) {
        guard case .stream(let callbacks, let report) = mode, let finalReport = claimFinish() else { return }
        recordSpan(finalReport, error: result.failure, finishReason: (try? result.get())?.finishReason)
        report(finalReport)
        callbacks.onComplete(result)
    }

    /// The report, to the one caller that ends the call; nil to every later one.
    private func claimFinish() -> GatewayReport? {
        state.withLock { state -> GatewayReport? in
            guard !state.finished else { return nil }
            state.finished = true
            return state.report
        }
    }
}

extension Result {
    /// The error of a failure; nil for a success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
