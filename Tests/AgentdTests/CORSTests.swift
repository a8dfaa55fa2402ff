import JSON
import Testing

/// Browsers (docs/api.md, CORS and OPTIONS): preflights on API routes without a key or the rate limit, the
/// allow and expose headers on answers and streams for listed origins, nothing for others, for probes and `/metrics`.
@Suite("CORS", .serialized)
struct CORSTests {
    static let page = "http://app.example.test:3000"

    @Test("an allowed origin's preflight is 204 with the route's methods and the allowed requested headers, without a key", arguments: Level.allCases)
    func preflight(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level, [
            "AGENTD_CORS_ORIGINS": "\(Self.page),https://other.test", "AGENTD_API_KEYS": "k1",
            "AGENTD_RATE_LIMIT_RPS": "0.01", "AGENTD_RATE_LIMIT_BURST": "1",
        ])
        defer { agentd.stop() }
        for _ in 0..<3 {  // past the burst: preflights are not limited
            let response = try agentd.send("OPTIONS", "/tasks/task_x", headers: [
                ("Origin", Self.page), ("Access-Control-Request-Method", "DELETE"),
                ("Access-Control-Request-Headers", "Authorization, Content-Type, X-Stainless-Lang, X-Evil"),
            ])
            #expect(response.status == 204)
            #expect(response.header("Access-Control-Allow-Origin") == Self.page && response.header("Vary") == "Origin")
            #expect(response.header("Access-Control-Allow-Methods") == "GET, DELETE, OPTIONS")
            #expect(response.header("Access-Control-Allow-Headers") == "authorization, content-type, x-stainless-lang")
            #expect(response.header("Access-Control-Max-Age") == "600")
            #expect(response.header("Access-Control-Allow-Credentials") == nil)
        }
        let stranger = try agentd.send("OPTIONS", "/chat", headers: [("Origin", "https://evil.test"), ("Access-Control-Request-Method", "POST")])
        #expect(stranger.header("Access-Control-Allow-Origin") == nil)
        #expect(try agentd.send("OPTIONS", "/metrics", headers: [("Origin", Self.page)]).status == 405)
    }

    @Test("answers, errors and streams to an allowed origin carry the CORS headers; probes, /metrics and strangers none", arguments: Level.allCases)
    func answers(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level, ["AGENTD_CORS_ORIGINS": Self.page, "AGENTD_API_KEYS": "k1", "AGENTD_RATE_LIMIT_RPS": "0"])
        defer { agentd.stop() }
        let origin = ("Origin", Self.page), key = ("Authorization", "Bearer k1"), json = ("Content-Type", "application/json")
        let stream = try agentd.send("POST", "/chat/stream", headers: [origin, key, json], body: Array(#"{"message":"hi"}"#.utf8))
        let unauthorized = try agentd.send("GET", "/v1/models", headers: [origin])
        for response in [stream, unauthorized] {
            #expect(response.header("Access-Control-Allow-Origin") == Self.page)
            #expect(response.header("Access-Control-Expose-Headers") == "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After, Location")
        }
        #expect(stream.status == 200 && unauthorized.status == 401)
        for path in ["/health/live", "/health/ready", "/metrics"] {
            #expect(try agentd.send("GET", path, headers: [origin]).header("Access-Control-Allow-Origin") == nil)
        }
        let stranger = try agentd.send("GET", "/v1/models", headers: [("Origin", "https://evil.test"), key])
        #expect(stranger.status == 200 && stranger.header("Access-Control-Allow-Origin") == nil)
    }

    @Test("with *, any origin gets *, never credentials; without the variable, no CORS at all", arguments: Level.allCases)
    func wildcardAndOff(_ level: Level) async throws {
        let open = try await AgentdUnderTest.start(level, ["AGENTD_CORS_ORIGINS": "*"])
        defer { open.stop() }
        let response = try open.send("GET", "/v1/models", headers: [("Origin", "https://anyone.test")])
        #expect(response.header("Access-Control-Allow-Origin") == "*" && response.header("Access-Control-Allow-Credentials") == nil)
        let off = try await AgentdUnderTest.start(level, [:])
        defer { off.stop() }
        #expect(try off.send("OPTIONS", "/chat", headers: [("Origin", "https://anyone.test")]).status == 405)
        #expect(try off.send("GET", "/v1/models", headers: [("Origin", "https://anyone.test")]).header("Access-Control-Allow-Origin") == nil)
    }
}
