import Agent
import Foundation
import HTTP
import JSON
import LLM
import Server
import Synchronization

/// `POST /v1/chat/completions` and `GET /v1/models`: OpenAI's wire format, so the official SDKs work
/// against `base_url=http://host:port/v1`. Messages, tools and tool calls pass through to OpenAI-kind
/// providers and are translated for Anthropic-kind ones. Errors use OpenAI's error body.
struct OpenAIEndpoint: Sendable {
    let gateway: LLMGateway
    let limits: ChatLimits
    let keepAliveMs: Int
    var accounting = CallAccounting.none

    var registry: ProviderRegistry { gateway.registry }

    func completions(_ request: HTTPRequest, _ responder: Responder) {
        let body: OpenAIChatBody
        let resolution: ProviderRegistry.Resolution
        do throws(APIFailure) {
            body = try OpenAIChatBody(
                JSONBody(request), maxTokensLimit: limits.maxTokensPerRequest, requestID: request.id,
                traceparent: request.headers["traceparent"]
            )
            do {
                resolution = try registry.resolve(body.model)
            } catch {
                throw APIFailure.invalid(error.message, param: "model")
            }
        } catch {
            responder.respond(error.openAIResponse())
            return
        }
        var call = body.request
        call.model = resolution.model
        let encoding = OpenAIResponseEncoding(
            id: "chatcmpl-\(request.id)", created: Int(Date().timeIntervalSince1970), model: resolution.qualifiedName
        )
        if body.stream {
            stream(call, resolution: resolution, encoding: encoding, includeUsage: body.includeUsage, client: request.client, reservation: request.reservation, responder: responder)
            return
        }
        let accounting = self.accounting
        let useCache = !ChatEndpoint.refusesCache(request)
        let providerCall = gateway.complete(call, resolution: resolution, useCache: useCache) { result, report in
            accounting.settle(report, client: request.client, reservation: request.reservation, succeeded: (try? result.get()) != nil, responder: responder)
            switch result {
            case .success(let completion): responder.respond(.json(.ok, encoding.completion(completion)))
            case .failure(let error): responder.respond(APIFailure(error).openAIResponse())
            }
        }
        responder.onCancel { providerCall.cancel() }
    }

    private func stream(
        _ call: ChatRequest, resolution: ProviderRegistry.Resolution, encoding: OpenAIResponseEncoding,
        includeUsage: Bool, client: String?, reservation: BudgetReservation?, responder: Responder
    ) {
        let bridge = StreamBridge(responder: responder, headers: ChatEndpoint.streamHeaders, keepAliveMs: keepAliveMs)
        let roleSent = Atomic<Bool>(false)
        let accounting = self.accounting
        let providerCall = gateway.stream(call, resolution: resolution, callbacks: ChatStreamCallbacks(
            onEvent: { event in
                var bytes = roleSent.exchange(true, ordering: .relaxed) ? [] : encoding.roleChunk
                bytes += encoding.chunk(for: event)
                return bridge.send(bytes)
            },
            onComplete: { result in
                switch result {
                case .success(let summary):
                    let start = roleSent.exchange(true, ordering: .relaxed) ? [] : encoding.roleChunk
                    bridge.sendLast(start + encoding.end(summary, includeUsage: includeUsage))
                case .failure(let error):
                    let failure = APIFailure(error)
                    if bridge.failBeforeStart(failure.openAIResponse()) { return }
                    // OpenAI's SDKs raise an APIError for a stream event carrying "error".
                    bridge.sendLast(JSONValue.sseDataEvent(failure.openAIErrorJSON))
                }
                bridge.finish()
            }
        ), report: { report in
            accounting.settle(report, client: client, reservation: reservation, succeeded: report.attempts > 0, responder: responder)
        })
        bridge.attach(providerCall)
        responder.onCancel {
            providerCall.cancel()
            bridge.stop()
        }
    }

    func models(_ request: HTTPRequest) -> HTTPResponse {
        let data: [JSONValue] = registry.listedModels.map { name in
            ["id": .string(name), "object": "model", "created": 0,
             "owned_by": .string(String(name.split(separator: ":").first ?? "agentd"))]
        }
        return .json(.ok, JSONValue.object(["object": "list", "data": .array(data)]).serialized())
    }
}
