import HTTP
import Server

/// Browsers (docs/api.md, CORS and "OPTIONS (preflight)"): which origins may call the API routes, and the headers that
/// tell them. An allowed `Origin` gets `Access-Control-Allow-Origin` (the origin itself with `Vary: Origin`, or `*`)
/// and the exposed headers on every answer, streams included; a preflight `OPTIONS` gets 204 with the route's
/// methods, the requested headers among the allowed ones, and a max age. A preflight needs no key and is not
/// rate-limited. An origin not listed gets no CORS headers, so the browser blocks it. Credentials (cookies) are
/// never allowed: API keys travel in headers. Probes and `/metrics` are not wrapped.
///
/// Owner: none; immutable.
struct CORSPolicy: Sendable {
    let origins: Set<String>
    let anyOrigin: Bool

    /// nil when no origin is configured: CORS off.
    init?(origins: [String]) {
        guard !origins.isEmpty else { return nil }
        anyOrigin = origins.contains("*")
        self.origins = Set(origins.map { $0.lowercased() })
    }

    static let maxAgeSeconds = 600
    static let exposedHeaders = "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After, Location"
    /// Request headers a page may send (lower case), besides the SDKs' `x-stainless-*`.
    static let allowedRequestHeaders: Set<String> = [
        "authorization", "content-type", "x-api-key", "idempotency-key", "x-request-id", "traceparent", "tracestate",
        "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access", "cache-control",
        "openai-organization", "openai-project",
    ]

    /// `scheme://host[:port]`, nothing after: what a browser sends in `Origin`.
    static func isOrigin(_ text: String) -> Bool {
        if text == "*" { return true }
        guard let range = text.range(of: "://") else { return false }
        let scheme = text[..<range.lowerBound], rest = text[range.upperBound...]
        return (scheme == "http" || scheme == "https") && !rest.isEmpty && !rest.contains("/") && !rest.contains("?")
            && !rest.contains("#") && !rest.contains(" ")
    }

    func allows(_ origin: String) -> Bool { anyOrigin || origins.contains(origin.lowercased()) }

    /// The headers of an answer to `origin` (allowed).
    func answerHeaders(origin: String) -> HTTPHeaders {
        var headers: HTTPHeaders = ["Access-Control-Allow-Origin": anyOrigin ? "*" : origin, "Access-Control-Expose-Headers": CORSPolicy.exposedHeaders]
        if !anyOrigin { headers.add("Vary", "Origin") }
        return headers
    }

    /// Wraps an API route: an allowed origin's answers carry the CORS headers.
    func wrap(_ handler: @escaping RouteHandler) -> RouteHandler {
        { request, responder in
            if let origin = request.headers["Origin"], allows(origin) { responder.addHeaders(answerHeaders(origin: origin)) }
            handler(request, responder)
        }
    }

    /// The answer to a preflight on a route served with `methods`.
    func preflight(_ request: HTTPRequest, methods: [HTTPMethod]) -> HTTPResponse {
        var response = HTTPResponse(status: .noContent, headers: ["Vary": "Origin"], body: [])
        guard let origin = request.headers["Origin"], allows(origin) else { return response }
        response.headers.set("Access-Control-Allow-Origin", anyOrigin ? "*" : origin)
        response.headers.set("Access-Control-Allow-Methods", (methods + [.options]).map(\.rawValue).joined(separator: ", "))
        let requested = (request.headers["Access-Control-Request-Headers"] ?? "").split(separator: ",")
            .map { $0.trimmingBlanks().lowercased() }
            .filter { CORSPolicy.allowedRequestHeaders.contains($0) || $0.hasPrefix("x-stainless-") }
        if !requested.isEmpty { response.headers.set("Access-Control-Allow-Headers", requested.joined(separator: ", ")) }
        response.headers.set("Access-Control-Max-Age", String(CORSPolicy.maxAgeSeconds))
        return response
    }
}
