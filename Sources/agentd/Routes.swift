import HTTP
import Server

/// The routes agentd serves and the handlers behind them.
enum Routes {
    static func router(lifecycle: Lifecycle) -> Router {
        var router = Router()
        router.add(.get, "/health/live", answer: { _ in HealthResponses.live })
        router.add(.get, "/health/ready", answer: { _ in
            guard let reason = lifecycle.notReadyReason else { return HealthResponses.ready }
            return HTTPResponse.json(.serviceUnavailable, "{\"ready\":false,\"reason\":\"\(reason)\"}")
        })
        router.add(.get, "/", answer: { _ in HealthResponses.root })
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
            + "\"live\":\"/health/live\",\"ready\":\"/health/ready\"}}"
    )
}
