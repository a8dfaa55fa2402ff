import Agent
import Foundation
import HTTP
import Inbound
import JSON
import LLM
import Server

/// `POST /v1/responses`: OpenAI's Responses API on any provider, so the OpenAI SDKs' `responses` and the OpenAI
/// Agents SDK's default model work through agentd (docs/api.md, POST /v1/responses).
///
/// A response is stored (unless `store: false`) with its whole exchange before it is answered, so the client's
/// next request may name it in `previous_response_id`, on any replica when Redis is configured. With API keys,
/// only the key that made a response may continue it; to any other it does not exist.
struct ResponsesEndpoint: Sendable {
    let pipeline: InboundPipeline
    let limits: ChatLimits
    let store: any ResponseStoring
    let keysConfigured: Bool
    /// AGENTD_CONVERSATION_MAX_TOKENS: a stored exchange keeps its newest messages within it.
    let maxHistoryTokens: Int

    func create(_ request: HTTPRequest, _ responder: Responder) {
        let decoded: ResponsesRequest
        let resolution: ProviderRegistry.Resolution
        do throws(APIFailure) {
            let body = try JSONBody(request)
            do {
                decoded = try ResponsesRequest(
                    body.fields, maxTokensLimit: limits.maxTokensPerRequest, requestID: request.id, traceparent: request.traceparent
                )
            } catch {
                throw APIFailure(error)
            }
            resolution = try pipeline.resolve(decoded.model)
        } catch {
            responder.respond(error.openAIResponse())
            return
        }
        let owner = keysConfigured ? request.client ?? "" : ""
        guard let previous = decoded.previousResponseID else {
            run(decoded, history: [], owner: owner, resolution: resolution, request: request, responder: responder)
            return
        }
        store.load(previous) { result in
            switch result {
            case .failure(let unavailable):
                let failure = APIFailure(
                    status: .serviceUnavailable, type: "unavailable",
                    message: "stored responses cannot be read now (\(unavailable.reason)); retry shortly",
                    retryAfterSeconds: SharedStateUnavailable.retryAfterSeconds
                )
                responder.respond(failure.openAIResponse())
            case .success(let stored):
                guard let stored, stored.owner == owner else {
                    let failure = APIFailure.invalid("Previous response with id '\(previous)' not found.", param: "previous_response_id")
                    responder.respond(failure.openAIResponse())
                    return
                }
                run(decoded, history: stored.messages, owner: owner, resolution: resolution, request: request, responder: responder)
            }
        }
    }

    private func run(
        _ decoded: ResponsesRequest, history: [ChatMessage], owner: String, resolution: ProviderRegistry.Resolution,
        request: HTTPRequest, responder: Responder
    ) {
        var call = decoded.request
        call.model = resolution.model
        call.messages = (decoded.instructions.map { [ChatMessage.system($0)] } ?? []) + history + decoded.input
        let format = ResponsesFormat(
            id: RandomID.make("resp_"), createdAt: Int(pipeline.gateway.clock.nowUnixMs / 1000), model: resolution.qualifiedName,
            previousResponseID: decoded.previousResponseID, store: decoded.store, echo: decoded.echo
        )
        var finishing: InboundPipeline.Finishing?
        if decoded.store {
            let store = self.store, maxTokens = maxHistoryTokens, exchange = history + decoded.input, id = format.id
            finishing = { answer, done in
                var messages = exchange
                messages.append(ChatMessage(role: .assistant, content: .text(answer.text), toolCalls: answer.toolCalls))
                let stored = StoredResponse(owner: owner, messages: messages).pruned(maxTokens: maxTokens)
                // A store that fails does not cost the client its answer; continuing it is what fails then (400).
                store.save(id, stored) { _ in done() }
            }
        }
        pipeline.serve(call, resolution: resolution, format: format, stream: decoded.stream, request: request, responder: responder,
                       finishing: finishing)
    }
}
