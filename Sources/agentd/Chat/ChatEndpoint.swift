import Agent
import CAgentdSystem
import HTTP
import JSON
import LLM
import Server

/// `POST /chat` and `POST /chat/stream`: one turn of a conversation with an agent, answered as JSON or
/// as Server-Sent Events (`{"type":"text"}` pieces, then `done` or `error`).
struct ChatEndpoint: Sendable {
    let service: ChatService
    let limits: ChatLimits
    let keepAliveMs: Int
    var accounting = CallAccounting.none
    /// Runs the agents that have tools (README.md, API, "Agents that act"); nil when none has.
    var loop: AgentLoop?
    /// API keys are configured: an agent's `keys` admit only those key names.
    var keysConfigured = false
    /// The daily budget an agent run's later model calls reserve from (its first is the request's reservation).
    var budget: (any TokenBudgeting)?

    static let streamHeaders: HTTPHeaders = [
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
    ]

    func handle(_ request: HTTPRequest, _ responder: Responder, alwaysStream: Bool) {
        let startedNs = agentd_monotonic_ns()
        let input: ChatTurnInput
        let stream: Bool
        do throws(APIFailure) {
            let body = try JSONBody(request)
            input = try decode(body, request: request)
            let asked = try body.bool("stream") ?? false
            stream = alwaysStream || asked
        } catch {
            responder.respond(error.contractResponse(requestID: request.id))
            return
        }
        let endpoint = self
        service.prepare(input) { result in
            switch result {
            case .failure(.invalid(let error)):
                responder.respond(APIFailure.invalid(error.message, param: error.field).contractResponse(requestID: request.id))
            case .failure(.unavailable(let unavailable)):
                responder.respond(APIFailure(
                    status: .serviceUnavailable, type: "unavailable",
                    message: "the conversation cannot be read now (\(unavailable.reason)); retry shortly",
                    retryAfterSeconds: SharedStateUnavailable.retryAfterSeconds
                ).contractResponse(requestID: request.id))
            case .success(let prepared):
                if let refusal = ChatEndpoint.refusal(prepared.agent, request: request, keysConfigured: endpoint.keysConfigured) {
                    responder.respond(refusal)
                } else if let loop = endpoint.loop, prepared.agent.hasTools {
                    endpoint.runAgent(prepared, loop: loop, stream: stream, request: request, responder: responder, startedNs: startedNs)
                } else if stream {
                    endpoint.streamTurn(prepared, request: request, responder: responder)
                } else {
                    endpoint.completeTurn(prepared, request: request, responder: responder, startedNs: startedNs)
                }
            }
        }
    }

    private func completeTurn(_ prepared: PreparedChat, request: HTTPRequest, responder: Responder, startedNs: UInt64) {
        let accounting = self.accounting
        let call = service.complete(prepared, useCache: !ChatEndpoint.refusesCache(request)) { result, report in
            accounting.settle(
                report, client: request.client, reservation: request.reservation, agent: prepared.agent.name,
                succeeded: (try? result.get()) != nil, responder: responder
            )
            switch result {
            case .success(let completion):
                responder.respond(.json(.ok, ChatEndpoint.answer(
                    completion, prepared, request, startedNs, model: report.model, cached: report.cache == .hit || report.cache == .joined
                ).serialized()))
            case .failure(let error):
                responder.respond(APIFailure(error).contractResponse(requestID: request.id))
            }
        }
        responder.onCancel { call.cancel() }
    }

    private func decode(_ body: JSONBody, request: HTTPRequest) throws(APIFailure) -> ChatTurnInput {
        let fields = try TurnFields(body, limits: limits)
        return ChatTurnInput(
            message: fields.message, conversationID: try body.string("conversation_id", maxLength: 128),
            agent: fields.agent, model: fields.model, systemPrompt: fields.systemPrompt, maxTokens: fields.maxTokens,
            temperature: try body.double("temperature", in: 0...2),
            requestID: request.id, traceparent: request.traceparent
        )
    }

    private func streamTurn(_ prepared: PreparedChat, request: HTTPRequest, responder: Responder) {
        let bridge = StreamBridge(responder: responder, headers: ChatEndpoint.streamHeaders, keepAliveMs: keepAliveMs)
        let accounting = self.accounting
        let call = service.stream(prepared, callbacks: ChatStreamCallbacks(
            onEvent: { event in
                guard case .text(let text) = event else { return .proceed }
                return bridge.send(JSONValue.sseDataEvent(["type": "text", "content": .string(text)]))
            },
            onComplete: { result in
                switch result {
                case .success(let summary):
                    bridge.sendLast(JSONValue.sseDataEvent([
                        "type": "done", "conversation_id": .string(prepared.conversationID), "model": .string(prepared.model),
                        "usage": ChatEndpoint.usage(summary.usage),
                    ]))
                case .failure(let error):
                    let failure = APIFailure(error)
                    if bridge.failBeforeStart(failure.contractResponse(requestID: request.id)) { return }
                    bridge.sendLast(JSONValue.sseDataEvent(["type": "error", "message": .string(failure.message)]))
                }
                bridge.finish()
            }
        ), report: { report in
            accounting.settle(report, client: request.client, reservation: request.reservation, agent: prepared.agent.name, succeeded: report.attempts > 0, responder: responder)
        })
        bridge.attach(call)
        responder.onCancel {
            call.cancel()
            bridge.stop()
        }
    }

    /// 403 when the agent names the API keys that may use it and the request's key is not one of them (without API
    /// keys configured no request has a key, so none may).
    static func refusal(_ agent: AgentProfile, request: HTTPRequest, keysConfigured: Bool) -> HTTPResponse? {
        guard let keys = agent.keys, !keysConfigured || !keys.contains(request.client ?? "") else { return nil }
        return APIFailure(status: .forbidden, type: "forbidden", message: "this API key may not use agent \"\(agent.name)\"")
            .contractResponse(requestID: request.id)
    }

    static func usage(_ usage: ChatUsage) -> JSONValue {
        ["input_tokens": .integer(usage.inputTokens), "output_tokens": .integer(usage.outputTokens)]
    }

    static func answer(
        _ completion: ChatCompletion, _ prepared: PreparedChat, _ request: HTTPRequest, _ startedNs: UInt64, model: String, cached: Bool
    ) -> JSONValue {
        let elapsedMs = Double(agentd_monotonic_ns() - startedNs) / 1_000_000
        return [
            "response": .string(completion.text), "conversation_id": .string(prepared.conversationID),
            "model": .string(model), "tokens_used": .integer(completion.usage.totalTokens),
            "usage": usage(completion.usage), "processing_time_ms": .double((elapsedMs * 100).rounded() / 100),
            "cached": .bool(cached), "request_id": .string(request.id),
        ]
    }

    /// `Cache-Control: no-cache` (or `no-store`) asks for a fresh answer (RFC 9111 §5.2.1.4).
    static func refusesCache(_ request: HTTPRequest) -> Bool {
        guard let value = request.headers["Cache-Control"] else { return false }
        let lowered = value.lowercased()
        return lowered.contains("no-cache") || lowered.contains("no-store")
    }
}
