import Agent
import CAgentdSystem
import HTTP
import JSON
import LLM
import Locks
import Server

/// `/chat` for an agent with tools: the loop runs inside agentd (docs/api.md, POST /chat; README.md, API,
/// "Agents that act"). The JSON answer has `steps`; a stream carries `tool_call` and `tool_result` events and each
/// model call's text as it streams, then `done`.
extension ChatEndpoint {
    func runAgent(
        _ prepared: PreparedChat, loop: AgentLoop, stream: Bool, request: HTTPRequest, responder: Responder, startedNs: UInt64
    ) {
        let bridge = stream ? StreamBridge(responder: responder, headers: ChatEndpoint.streamHeaders, keepAliveMs: keepAliveMs) : nil
        let accounting = self.accounting, service = self.service
        let budget = self.budget.flatMap { budget in
            request.client.map { AgentRunBudget(budget: budget, client: $0, defaultMaxTokens: limits.maxTokensPerRequest) }
        }
        // The model that answered the last call (after fallbacks), from the run's report.
        let answeredModel = Locked(prepared.model, compact: true)
        let call = loop.run(prepared, streaming: stream, budget: budget, events: { event in
            guard let bridge else { return .proceed }
            switch event {
            case .text(let piece):
                return bridge.send(JSONValue.sseDataEvent(["type": "text", "content": .string(piece)]))
            case .toolCall(let call):
                return bridge.send(JSONValue.sseDataEvent([
                    "type": "tool_call", "id": .string(call.id), "name": .string(call.name), "arguments": .string(call.arguments),
                ]))
            case .toolResult(let step):
                return bridge.send(JSONValue.sseDataEvent([
                    "type": "tool_result", "id": .string(step.id), "name": .string(step.name), "ok": .bool(step.ok),
                    "content": .string(step.result.content),
                ]))
            }
        }, report: { report, firstCallTokens in
            if report.attempts > 0 { answeredModel.withLock { $0 = report.model } }
            accounting.settle(
                report, client: request.client, reservation: request.reservation, agent: prepared.agent.name,
                succeeded: report.attempts > 0, responder: responder, reservedCallTokens: firstCallTokens
            )
        }) { result in
            switch result {
            case .success(let answer):
                // The turn is the user's message and the final answer; the tool steps are not kept in the history.
                service.conversations.appendTurn(
                    id: prepared.conversationID, user: prepared.userMessage, assistant: [.assistant(answer.completion.text)]
                ) { _ in
                    guard let bridge else {
                        var body = ChatEndpoint.answer(
                            answer.completion, prepared, request, startedNs, model: answeredModel.withLock { $0 }, cached: false
                        )
                        if case .object(var object) = body {
                            object["steps"] = .array(answer.steps.map(\.json))
                            body = .object(object)
                        }
                        responder.respond(.json(.ok, body.serialized()))
                        return
                    }
                    // The answer's text went out as it streamed.
                    bridge.sendLast(JSONValue.sseDataEvent([
                        "type": "done", "conversation_id": .string(prepared.conversationID), "model": .string(answeredModel.withLock { $0 }),
                        "usage": ChatEndpoint.usage(answer.completion.usage), "steps": .integer(answer.steps.count),
                    ]))
                    bridge.finish()
                }
            case .failure(let error):
                let failure = ChatEndpoint.failure(error)
                guard let bridge else {
                    responder.respond(failure.contractResponse(requestID: request.id))
                    return
                }
                if bridge.failBeforeStart(failure.contractResponse(requestID: request.id)) { return }
                bridge.sendLast(JSONValue.sseDataEvent(["type": "error", "message": .string(failure.message)]))
                bridge.finish()
            }
        }
        bridge?.attach(call)
        responder.onCancel {
            call.cancel()
            bridge?.stop()
        }
    }

    static func failure(_ error: AgentRunError) -> APIFailure {
        switch error {
        case .provider(let error): APIFailure(error)
        case .maxSteps(let limit):
            APIFailure(
                status: .badGateway, type: "upstream_error",
                message: "the agent made max_steps (\(limit)) model calls and the model still asked for tools: no final answer"
            )
        case .budgetExceeded(let retryAfterSeconds):
            APIFailure(
                status: .tooManyRequests, type: "budget_exceeded",
                message: "the daily token budget of this key ran out during the agent's run; it renews at 00:00 UTC",
                retryAfterSeconds: retryAfterSeconds
            )
        case .budgetUnavailable(let reason):
            APIFailure(
                status: .serviceUnavailable, type: "unavailable", message: "the token budget cannot be checked now (\(reason)); retry shortly",
                retryAfterSeconds: SharedStateUnavailable.retryAfterSeconds
            )
        }
    }
}
