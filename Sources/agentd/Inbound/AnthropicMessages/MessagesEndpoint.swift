import Agent
import HTTP
import Inbound
import JSON
import LLM
import Server

/// `POST /v1/messages` and `POST /v1/messages/count_tokens`: Anthropic's Messages API, so the Anthropic SDKs work
/// against `base_url=http://host:port` on any provider (docs/api.md, Anthropic Messages).
struct MessagesEndpoint: Sendable {
    let pipeline: InboundPipeline
    let limits: ChatLimits

    func messages(_ request: HTTPRequest, _ responder: Responder) {
        let decoded: AnthropicMessagesRequest
        let resolution: ProviderRegistry.Resolution
        do throws(APIFailure) {
            decoded = try decode(request, forCounting: false)
            resolution = try pipeline.resolve(decoded.model)
        } catch {
            responder.respond(error.anthropicResponse(requestID: request.id))
            return
        }
        var call = decoded.request
        call.model = resolution.model
        let format = AnthropicMessagesFormat(id: RandomID.make("msg_"), model: resolution.qualifiedName, requestID: request.id)
        pipeline.serve(call, resolution: resolution, format: format, stream: decoded.stream, request: request, responder: responder)
    }

    /// Anthropic-kind upstreams count with their own endpoint; others cannot count exactly: 501.
    func countTokens(_ request: HTTPRequest, _ responder: Responder) {
        let decoded: AnthropicMessagesRequest
        let resolution: ProviderRegistry.Resolution
        do throws(APIFailure) {
            decoded = try decode(request, forCounting: true)
            resolution = try pipeline.resolve(decoded.model)
        } catch {
            responder.respond(error.anthropicResponse(requestID: request.id))
            return
        }
        guard let counter = resolution.provider as? any TokenCounting else {
            let failure = APIFailure(
                status: .notImplemented, type: "not_implemented",
                message: "count_tokens needs an Anthropic-kind provider; \(resolution.provider.name) cannot count tokens"
            )
            responder.respond(failure.anthropicResponse(requestID: request.id))
            return
        }
        var call = decoded.request
        call.model = resolution.model
        let providerCall = counter.countTokens(call) { result in
            switch result {
            case .success(let tokens):
                responder.respond(.json(.ok, JSONValue.object(JSONObject([("input_tokens", .integer(tokens))])).serialized()))
            case .failure(let error):
                responder.respond(APIFailure(error).anthropicResponse(requestID: request.id))
            }
        }
        responder.onCancel { providerCall.cancel() }
    }

    /// Every answer of the route, errors included, carries Anthropic's `request-id` (the SDKs' `_request_id`).
    static func namingRequests(_ handler: @escaping RouteHandler) -> RouteHandler {
        { request, responder in
            responder.addHeaders(["request-id": request.id])
            handler(request, responder)
        }
    }

    private func decode(_ request: HTTPRequest, forCounting: Bool) throws(APIFailure) -> AnthropicMessagesRequest {
        let body = try JSONBody(request)
        do {
            return try AnthropicMessagesRequest(
                body.fields, maxTokensLimit: limits.maxTokensPerRequest, requestID: request.id,
                traceparent: request.traceparent, version: request.headers["anthropic-version"],
                beta: request.headers["anthropic-beta"], forCounting: forCounting
            )
        } catch {
            throw APIFailure(error)
        }
    }
}
