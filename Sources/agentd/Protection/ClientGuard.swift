import Agent
import HTTP
import Resilience
import Security
import Server

/// Authentication, the per-client token bucket and the daily token budget, in front of the API routes
/// (contract: Security and limits). Probes, `/metrics` and the documentation routes are not behind it.
///
/// Owner: none; immutable, the limiter and budget guard their own state. Runs on the event loop before the
/// handler: every decision is O(1) and never blocks. A refusal answers in the route's error format
/// (the contract's body, or OpenAI's on `/v1`), with `Retry-After` on 429.
struct ClientGuard: Sendable {
    enum ErrorFormat: Sendable { case contract, openAI }

    /// nil: no key configured, requests are identified by their address.
    let keys: APIKeyStore?
    let limiter: RateLimiter?
    let budget: TokenBudget?
    let metrics: AgentdMetrics

    func protect(_ handler: @escaping RouteHandler, format: ErrorFormat, spendsTokens: Bool) -> RouteHandler {
        { request, responder in
            let client: String
            if let keys {
                let presented = APIKeyStore.presentedKey(
                    authorization: request.headers["Authorization"], apiKeyHeader: request.headers["X-API-Key"]
                )
                guard let presented, let identity = keys.authenticate(presented) else {
                    let message = presented == nil
                        ? "an API key is required: Authorization: Bearer <key> or X-API-Key"
                        : "the API key is not valid"
                    let failure = APIFailure(status: .unauthorized, type: "unauthorized", message: message)
                    responder.respond(ClientGuard.render(failure, format, request, extra: ["WWW-Authenticate": "Bearer"]))
                    return
                }
                client = identity.name
            } else {
                client = request.remoteAddress
            }
            if let limiter {
                let decision = limiter.acquire(client)
                let headers: HTTPHeaders = [
                    "X-RateLimit-Limit": String(decision.limit), "X-RateLimit-Remaining": String(decision.remaining),
                ]
                responder.addHeaders(headers)
                guard decision.allowed else {
                    metrics.rateLimited.labels("rate").increment()
                    let failure = APIFailure(
                        status: .tooManyRequests, type: "rate_limited",
                        message: "rate limit of \(decision.limit) requests exceeded; retry in \(decision.retryAfterSeconds) s",
                        retryAfterSeconds: decision.retryAfterSeconds
                    )
                    responder.respond(ClientGuard.render(failure, format, request))
                    return
                }
            }
            if spendsTokens, let budget {
                let decision = budget.check(client)
                guard decision.allowed else {
                    metrics.rateLimited.labels("budget").increment()
                    let failure = APIFailure(
                        status: .tooManyRequests, type: "budget_exceeded",
                        message: "the daily token budget of this key is spent; it renews at 00:00 UTC",
                        retryAfterSeconds: decision.retryAfterSeconds
                    )
                    responder.respond(ClientGuard.render(failure, format, request))
                    return
                }
            }
            var request = request
            request.client = client
            handler(request, responder)
        }
    }

    static func render(_ failure: APIFailure, _ format: ErrorFormat, _ request: HTTPRequest, extra: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var response = format == .openAI ? failure.openAIResponse() : failure.contractResponse(requestID: request.id)
        for field in extra { response.headers.set(field.name, field.value) }
        return response
    }
}
