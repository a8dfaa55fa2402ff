import Agent
import Foundation
import HTTP
import JSON
import LLM
import Server

/// `POST /v1/chat/completions` and `GET /v1/models`: OpenAI's wire format, so the official SDKs work
/// against `base_url=http://host:port/v1`. Messages, tools and tool calls pass through to OpenAI-kind
/// providers and are translated for Anthropic-kind ones. Errors use OpenAI's error body.
struct OpenAIEndpoint: Sendable {
    let pipeline: InboundPipeline
    let limits: ChatLimits

    var registry: ProviderRegistry { pipeline.gateway.registry }

    func completions(_ request: HTTPRequest, _ responder: Responder) {
        let body: OpenAIChatBody
        let resolution: ProviderRegistry.Resolution
        do throws(APIFailure) {
            body = try OpenAIChatBody(
                JSONBody(request), maxTokensLimit: limits.maxTokensPerRequest, requestID: request.id,
                traceparent: request.traceparent
            )
            resolution = try pipeline.resolve(body.model)
        } catch {
            responder.respond(error.openAIResponse())
            return
        }
        var call = body.request
        call.model = resolution.model
        let encoding = OpenAIResponseEncoding(
            id: "chatcmpl-\(request.id)", created: Int(pipeline.gateway.clock.nowUnixMs / 1000), model: resolution.qualifiedName
        )
        pipeline.serve(
            call, resolution: resolution, format: OpenAIChatFormat(encoding: encoding, includeUsage: body.includeUsage),
            stream: body.stream, request: request, responder: responder
        )
    }

    /// OpenAI's model list, or Anthropic's when the client is an Anthropic SDK (it sends `anthropic-version`).
    func models(_ request: HTTPRequest) -> HTTPResponse {
        let names = registry.listedModels
        if request.headers["anthropic-version"] != nil {
            let data: [JSONValue] = names.map { name in
                ["type": "model", "id": .string(name), "display_name": .string(name), "created_at": "1970-01-01T00:00:00Z"]
            }
            let body: JSONValue = [
                "data": .array(data), "has_more": false,
                "first_id": names.first.map(JSONValue.string) ?? .null, "last_id": names.last.map(JSONValue.string) ?? .null,
            ]
            return .json(.ok, body.serialized())
        }
        let data: [JSONValue] = names.map { name in
            ["id": .string(name), "object": "model", "created": 0,
             "owned_by": .string(String(name.split(separator: ":").first ?? "agentd"))]
        }
        return .json(.ok, JSONValue.object(["object": "list", "data": .array(data)]).serialized())
    }
}
