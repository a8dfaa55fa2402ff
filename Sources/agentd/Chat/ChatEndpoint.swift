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

    static let streamHeaders: HTTPHeaders = [
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
    ]

    func handle(_ request: HTTPRequest, _ responder: Responder, alwaysStream: Bool) {
        let startedNs = agentd_monotonic_ns()
        let prepared: PreparedChat
        let stream: Bool
        do throws(APIFailure) {
            let body = try JSONBody(request)
            let input = try decode(body, request: request)
            let asked = try body.bool("stream") ?? false
            stream = alwaysStream || asked
            do {
                prepared = try service.prepare(input)
            } catch {
                throw APIFailure.invalid(error.message, param: error.field)
            }
        } catch {
            responder.respond(error.contractResponse(requestID: request.id))
            return
        }
        if stream {
            streamTurn(prepared, request: request, responder: responder)
        } else {
            let call = service.complete(prepared) { result in
                switch result {
                case .success(let completion):
                    responder.respond(.json(.ok, ChatEndpoint.answer(completion, prepared, request, startedNs).serialized()))
                case .failure(let error):
                    responder.respond(APIFailure(error).contractResponse(requestID: request.id))
                }
            }
            responder.onCancel { call.cancel() }
        }
    }

    private func decode(_ body: JSONBody, request: HTTPRequest) throws(APIFailure) -> ChatTurnInput {
        guard let message = try body.string("message", maxLength: limits.maxMessageChars, minLength: 1) else {
            throw .invalid("message is required: a string of 1 to \(limits.maxMessageChars) characters", param: "message")
        }
        return ChatTurnInput(
            message: message,
            conversationID: try body.string("conversation_id", maxLength: 128),
            agent: try body.string("agent", maxLength: 64),
            model: try body.string("model", maxLength: 256),
            systemPrompt: try body.string("system_prompt", maxLength: limits.maxSystemPromptChars),
            maxTokens: try body.int("max_tokens", in: 1...limits.maxTokensPerRequest),
            temperature: try body.double("temperature", in: 0...2),
            requestID: request.id, traceparent: request.headers["traceparent"]
        )
    }

    private func streamTurn(_ prepared: PreparedChat, request: HTTPRequest, responder: Responder) {
        let bridge = StreamBridge(responder: responder, headers: ChatEndpoint.streamHeaders, keepAliveMs: keepAliveMs)
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
        ))
        bridge.attach(call)
        responder.onCancel {
            call.cancel()
            bridge.stop()
        }
    }

    static func usage(_ usage: ChatUsage) -> JSONValue {
        ["input_tokens": .integer(usage.inputTokens), "output_tokens": .integer(usage.outputTokens)]
    }

    static func answer(_ completion: ChatCompletion, _ prepared: PreparedChat, _ request: HTTPRequest, _ startedNs: UInt64) -> JSONValue {
        let elapsedMs = Double(agentd_monotonic_ns() - startedNs) / 1_000_000
        return [
            "response": .string(completion.text), "conversation_id": .string(prepared.conversationID),
            "model": .string(prepared.model), "tokens_used": .integer(completion.usage.totalTokens),
            "usage": usage(completion.usage), "processing_time_ms": .double((elapsedMs * 100).rounded() / 100),
            "cached": false, "request_id": .string(request.id),
        ]
    }
}
