import Agent
import HTTP
import JSON
import Resilience
import Security
import Server

/// Authentication, the per-client token bucket and the daily token budget, in front of the API routes
/// (docs/api.md, Authentication; Rate limits and budgets). Probes, `/metrics` and the documentation routes are
/// not behind it.
///
/// Owner: none; immutable, the admission seam guards its own state. The key check runs at once on the event
/// loop; the bucket and the budget are one `ClientAdmitting.admit` (in memory: at once; with Redis: one round
/// trip, whose reply comes back on this loop), and the handler runs in its completion. A refusal answers in
/// the route's error format (agentd's body, or OpenAI's on `/v1`; docs/api.md, Errors): 429 with `Retry-After`,
/// or 503 with `Retry-After` when shared state cannot be reached and the configured policy refuses.
struct ClientGuard: Sendable {
    enum ErrorFormat: Sendable { case contract, openAI, anthropic }

    /// nil: no key configured, requests are identified by their address.
    let keys: APIKeyStore?
    /// nil: neither a rate limit nor a budget is configured.
    let admission: (any ClientAdmitting)?
    let metrics: AgentdMetrics
    /// What a request that names no `max_tokens` may produce (`AGENTD_MAX_TOKENS_PER_REQUEST`): its reservation.
    var defaultMaxTokens = 4096

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
            var request = request
            request.client = client
            guard let admission, admission.rateLimitBurst != nil || (spendsTokens && admission.hasBudget) else {
                handler(request, responder)
                return
            }
            let reserve = spendsTokens && admission.hasBudget ? ClientGuard.reservationTokens(request, defaultMaxTokens: defaultMaxTokens) : nil
            let metrics = self.metrics
            admission.admit(client, reservingTokens: reserve) { [request] result in
                var request = request
                switch result {
                case .failure(let unavailable):
                    let failure = APIFailure(
                        status: .serviceUnavailable, type: "unavailable",
                        message: "limits cannot be checked now (\(unavailable.reason)); retry shortly",
                        retryAfterSeconds: SharedStateUnavailable.retryAfterSeconds
                    )
                    responder.respond(ClientGuard.render(failure, format, request))
                    return
                case .success(let decided):
                    if let rate = decided.rate {
                        responder.addHeaders([
                            "X-RateLimit-Limit": String(rate.limit), "X-RateLimit-Remaining": String(rate.remaining),
                        ])
                        guard rate.allowed else {
                            metrics.rateLimited.labels("rate").increment()
                            responder.respond(ClientGuard.render(.tooMany(
                                "rate_limited", "rate limit of \(rate.limit) requests exceeded; retry in \(rate.retryAfterSeconds) s",
                                retryAfterSeconds: rate.retryAfterSeconds
                            ), format, request))
                            return
                        }
                    }
                    if let budget = decided.budget {
                        guard budget.decision.allowed else {
                            metrics.rateLimited.labels("budget").increment()
                            responder.respond(ClientGuard.render(.tooMany(
                                "budget_exceeded", "the daily token budget of this key is spent; it renews at 00:00 UTC",
                                retryAfterSeconds: budget.decision.retryAfterSeconds
                            ), format, request))
                            return
                        }
                        request.reservation = budget.reservation
                    }
                    handler(request, responder)
                }
            }
        }
    }

    /// The tokens a call may spend, held against the budget until it settles: its `max_tokens` (or
    /// `max_completion_tokens`, or the default) plus its input estimated at 4 bytes a token. The history a
    /// conversation adds is not known yet; the settlement charges what the upstream really counted.
    static func reservationTokens(_ request: HTTPRequest, defaultMaxTokens: Int) -> Int {
        let input = (request.body.count + 3) / 4
        guard let body = try? JSONValue.parse(request.body) else { return defaultMaxTokens + input }
        let asked = body["max_tokens"]?.intValue ?? body["max_completion_tokens"]?.intValue ?? body["max_output_tokens"]?.intValue
        let output = asked.map { min(max(0, $0), defaultMaxTokens) } ?? defaultMaxTokens
        return output + input
    }

    static func render(_ failure: APIFailure, _ format: ErrorFormat, _ request: HTTPRequest, extra: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var response: HTTPResponse
        switch format {
        case .contract: response = failure.contractResponse(requestID: request.id)
        case .openAI: response = failure.openAIResponse()
        case .anthropic: response = failure.anthropicResponse(requestID: request.id)
        }
        for field in extra { response.headers.set(field.name, field.value) }
        return response
    }
}

extension APIFailure {
    /// A 429 with `Retry-After`: the rate limit or the budget refused.
    static func tooMany(_ type: String, _ message: String, retryAfterSeconds: Int) -> APIFailure {
        APIFailure(status: .tooManyRequests, type: type, message: message, retryAfterSeconds: retryAfterSeconds)
    }
}
