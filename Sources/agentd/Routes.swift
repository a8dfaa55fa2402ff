import Agent
import HTTP
import JSON
import Server

/// The routes agentd serves and the handlers behind them.
enum Routes {
    /// `GET /openapi.json`: the document rendered to bytes once, not per request.
    static let openAPIDocument = HTTPResponse.json(.ok, OpenAPIDocument.json)

    static func router(lifecycle: Lifecycle, chat: ChatEndpoint, openAI: OpenAIEndpoint, catalog: AgentCatalog) -> Router {
        var router = Router()
        router.add(.post, "/chat") { request, responder in chat.handle(request, responder, alwaysStream: false) }
        router.add(.post, "/chat/stream") { request, responder in chat.handle(request, responder, alwaysStream: true) }
        router.add(.post, "/v1/chat/completions") { request, responder in openAI.completions(request, responder) }
        router.add(.get, "/v1/models", answer: { request in openAI.models(request) })
        let agents = catalog.publicJSON().serialized()
        router.add(.get, "/agents", answer: { _ in .json(.ok, agents) })
        router.add(.get, "/health/live", answer: { _ in HealthResponses.live })
        router.add(.get, "/health/ready", answer: { _ in
            guard let reason = lifecycle.notReadyReason else { return HealthResponses.ready }
            return HTTPResponse.json(.serviceUnavailable, "{\"ready\":false,\"reason\":\"\(reason)\"}")
        })
        router.add(.get, "/", answer: { _ in HealthResponses.root })
        router.add(.get, "/openapi.json", answer: { _ in openAPIDocument })
        return router
    }
}

/// Probe bodies are constant: rendered once.
enum HealthResponses {
    static let live = HTTPResponse.json(.ok, "{\"alive\":true}")
    static let ready = HTTPResponse.json(.ok, "{\"ready\":true}")
    static let root = HTTPResponse.json(
        .ok,
        "{\"name\":\"agentd\",\"version\":\"\(AgentdVersion.current)\",\"links\":{"
            + "\"live\":\"/health/live\",\"ready\":\"/health/ready\",\"openapi\":\"/openapi.json\"}}"
    )
}
