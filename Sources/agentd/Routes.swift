import Agent
import HTTP
import JSON
import Metrics
import Security
import Server

/// What the routes are served by.
struct RouteDependencies: Sendable {
    let lifecycle: Lifecycle
    let chat: ChatEndpoint
    let openAI: OpenAIEndpoint
    let messages: MessagesEndpoint
    let responses: ResponsesEndpoint
    let embeddings: EmbeddingsEndpoint
    /// AGENTD_CORS_ORIGINS; nil: CORS off.
    let cors: CORSPolicy?
    /// AGENTD_OTLP_ENDPOINT; nil: no traces.
    let tracing: RequestTracing?
    let catalog: AgentCatalog
    let clientGuard: ClientGuard
    let metrics: AgentdMetrics
    let health: HealthEndpoint
    let tasks: TasksEndpoint
    /// AGENTD_METRICS_TOKEN, hashed once at start; nil: `/metrics` is open.
    let metricsToken: APIKeyStore?
    /// Brings the scrape-time gauges up to date (connections, in-flight requests, conversations, circuits).
    let refreshGauges: @Sendable () -> Void
}

/// The routes agentd serves and the handlers behind them.
enum Routes {

    static func router(_ dependencies: RouteDependencies) -> Router {
        var router = Router()
        // Errors the server answers itself (413, 408, 404, 405) in the body of the API the path belongs to.
        router.errors = { path, status, type, message, requestID, headers in
            let failure = APIFailure(status: status, type: type, message: message)
            var response: HTTPResponse
            switch path {
            case let path? where path == "/v1/messages" || path.hasPrefix("/v1/messages/"): response = failure.anthropicResponse(requestID: requestID)
            case let path? where path.hasPrefix("/v1/"): response = failure.openAIResponse()
            default: response = failure.contractResponse(requestID: requestID)
            }
            for field in headers { response.headers.set(field.name, field.value) }
            return response
        }
        // The API routes: behind the guard, and open to the configured origins (CORS).
        let cors = dependencies.cors, tracing = dependencies.tracing
        var apiMethods: [(template: String, methods: [HTTPMethod])] = []
        func api(_ method: HTTPMethod, _ template: String, _ handler: @escaping RouteHandler) {
            let traced = tracing?.wrap(handler) ?? handler
            router.add(method, template, cors?.wrap(traced) ?? traced)
            if let index = apiMethods.firstIndex(where: { $0.template == template }) {
                apiMethods[index].methods.append(method)
            } else {
                apiMethods.append((template, [method]))
            }
        }
        let chat = dependencies.chat, openAI = dependencies.openAI, guarded = dependencies.clientGuard
        let lifecycle = dependencies.lifecycle
        api(.post, "/chat", guarded.protect({ request, responder in
            chat.handle(request, responder, alwaysStream: false)
        }, format: .contract, spendsTokens: true))
        api(.post, "/chat/stream", guarded.protect({ request, responder in
            chat.handle(request, responder, alwaysStream: true)
        }, format: .contract, spendsTokens: true))
        api(.post, "/v1/chat/completions", guarded.protect({ request, responder in
            openAI.completions(request, responder)
        }, format: .openAI, spendsTokens: true))
        let messages = dependencies.messages
        api(.post, "/v1/messages", MessagesEndpoint.namingRequests(guarded.protect({ request, responder in
            messages.messages(request, responder)
        }, format: .anthropic, spendsTokens: true)))
        api(.post, "/v1/messages/count_tokens", MessagesEndpoint.namingRequests(guarded.protect({ request, responder in
            messages.countTokens(request, responder)
        }, format: .anthropic, spendsTokens: false)))
        let responses = dependencies.responses
        api(.post, "/v1/responses", guarded.protect({ request, responder in
            responses.create(request, responder)
        }, format: .openAI, spendsTokens: true))
        let embeddings = dependencies.embeddings
        api(.post, "/v1/embeddings", guarded.protect({ request, responder in
            embeddings.create(request, responder)
        }, format: .openAI, spendsTokens: true))
        api(.get, "/v1/models", guarded.protect({ request, responder in
            responder.respond(openAI.models(request))
        }, format: .openAI, spendsTokens: false))
        let agents = dependencies.catalog.publicJSON().serialized()
        api(.get, "/agents", guarded.protect({ _, responder in
            responder.respond(.json(.ok, agents))
        }, format: .contract, spendsTokens: false))
        let tasks = dependencies.tasks
        api(.post, "/tasks", guarded.protect({ request, responder in
            tasks.submit(request, responder)
        }, format: .contract, spendsTokens: true))
        api(.get, "/tasks", guarded.protect({ request, responder in
            tasks.list(request, responder)
        }, format: .contract, spendsTokens: false))
        api(.get, "/tasks/{id}", guarded.protect({ request, responder in
            tasks.read(request, responder)
        }, format: .contract, spendsTokens: false))
        api(.delete, "/tasks/{id}", guarded.protect({ request, responder in
            tasks.delete(request, responder)
        }, format: .contract, spendsTokens: false))
        api(.get, "/tasks/{id}/events", guarded.protect({ request, responder in
            tasks.events(request, responder)
        }, format: .contract, spendsTokens: false))
        if let cors {
            // Preflights: no key, no rate limit.
            for (template, methods) in apiMethods {
                router.add(.options, template, answer: { request in cors.preflight(request, methods: methods) })
            }
        }
        router.add(.get, "/health/live", answer: { _ in HealthResponses.live })
        let taskService = tasks.tasks
        router.add(.get, "/health/ready", answer: { _ in
            guard let reason = lifecycle.notReadyReason ?? taskService.notReadyReason else { return HealthResponses.ready }
            let body: JSONValue = ["ready": false, "reason": .string(reason)]
            return HTTPResponse.json(.serviceUnavailable, body.serialized())
        })
        let health = dependencies.health
        router.add(.get, "/health", answer: { request in health.respond(request) })
        let metrics = dependencies.metrics, token = dependencies.metricsToken, refresh = dependencies.refreshGauges
        router.add(.get, "/metrics", answer: { request in
            if let token, !MetricsAccess.allows(request, token) {
                var response = ErrorResponse.make(
                    .unauthorized, type: "unauthorized", message: "/metrics needs Authorization: Bearer <AGENTD_METRICS_TOKEN>",
                    requestID: request.id
                )
                response.headers.set("WWW-Authenticate", "Bearer")
                return response
            }
            refresh()
            return HTTPResponse(status: .ok, headers: ["Content-Type": MetricsRegistry.contentType], body: metrics.registry.exposition())
        })
        router.add(.get, "/", answer: { _ in HealthResponses.root })
        // `GET /openapi.json`: the document for this configuration, rendered to bytes once, not per request.
        let openAPIDocument = HTTPResponse.json(.ok, OpenAPIDocument.rendered(
            providers: Array(dependencies.openAI.registry.providers.keys), agents: dependencies.catalog.names
        ))
        router.add(.get, "/openapi.json", answer: { _ in openAPIDocument })
        return router
    }
}

/// The metrics token check: `Authorization: Bearer <token>`, compared like API keys (constant time, hashed).
enum MetricsAccess {
    static func allows(_ request: HTTPRequest, _ token: APIKeyStore) -> Bool {
        guard let presented = APIKeyStore.presentedKey(authorization: request.headers["Authorization"], apiKeyHeader: nil) else {
            return false
        }
        return token.authenticate(presented) != nil
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
