import JSON
import Testing

/// Browsers (docs/api.md, CORS and OPTIONS): preflights on API routes without a key or the rate limit, the
/// allow and expose headers on answers and streams for listed origins, nothing for others, for probes and `/metrics`.
@Suite("CORS", .serialized)
struct CORSTests {
    static let page = "http://app.example.test:3000"

    @Test("an allowed origin's preflight is 204 with the route's methods and the allowed requested headers, without a key")
    func preflight() async throws {
        let agentd = try await AgentdProcess.serve([
            "AGENTD_CORS_ORIGINS": "\(Self.page),https://other.test", "AGENTD_API_KEYS": "k1",
            "AGENTD_RATE_LIMIT_RPS": "0.01", "AGENTD_RATE_LIMIT_BURST": "1",
        ])
        defer { agentd.kill() }
        for _ in 0..<3 {  // past the burst: preflights are not limited
            let response = try HTTPTestClient.send("OPTIONS", "/tasks/{id}".replacingOccurrences(of: "{id}", with: "task_x"), port: agentd.port, headers: [
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
        let stranger = try HTTPTestClient.send("OPTIONS", "/chat", port: agentd.port, headers: [("Origin", "https://evil.test"), ("Access-Control-Request-Method", "POST")])
        #expect(stranger.header("Access-Control-Allow-Origin") == nil)
        #expect(try HTTPTestClient.send("OPTIONS", "/metrics", port: agentd.port, headers: [("Origin", Self.page)]).status == 405)
    }

    @Test("answers, errors and streams to an allowed origin carry the CORS headers; probes, /metrics and strangers none")
    func answers() async throws {
        let agentd = try await AgentdProcess.serve(["AGENTD_CORS_ORIGINS": Self.page, "AGENTD_API_KEYS": "k1", "AGENTD_RATE_LIMIT_RPS": "0"])
        defer { agentd.kill() }
        let origin = ("Origin", Self.page), key = ("Authorization", "Bearer k1"), json = ("Content-Type", "application/json")
        let stream = try HTTPTestClient.send("POST", "/chat/stream", port: agentd.port, headers: [origin, key, json], body: Array(#"{"message":"hi"}"#.utf8))
        let unauthorized = try HTTPTestClient.send("GET", "/v1/models", port: agentd.port, headers: [origin])
        for response in [stream, unauthorized] {
            #expect(response.header("Access-Control-Allow-Origin") == Self.page)
            #expect(response.header("Access-Control-Expose-Headers") == "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After, Location")
        }
        #expect(stream.status == 200 && unauthorized.status == 401)
        for path in ["/health/live", "/health/ready", "/metrics"] {
            #expect(try HTTPTestClient.send("GET", path, port: agentd.port, headers: [origin]).header("Access-Control-Allow-Origin") == nil)
        }
        let stranger = try HTTPTestClient.send("GET", "/v1/models", port: agentd.port, headers: [("Origin", "https://evil.test"), key])
        #expect(stranger.status == 200 && stranger.header("Access-Control-Allow-Origin") == nil)
    }

    @Test("with *, any origin gets *, never credentials; without the variable, no CORS at all")
    func wildcardAndOff() async throws {
        let open = try await AgentdProcess.serve(["AGENTD_CORS_ORIGINS": "*"])
        defer { open.kill() }
        let response = try HTTPTestClient.send("GET", "/v1/models", port: open.port, headers: [("Origin", "https://anyone.test")])
        #expect(response.header("Access-Control-Allow-Origin") == "*" && response.header("Access-Control-Allow-Credentials") == nil)
        let off = try await AgentdProcess.serve([:])
        defer { off.kill() }
        #expect(try HTTPTestClient.send("OPTIONS", "/chat", port: off.port, headers: [("Origin", "https://anyone.test")]).status == 405)
        #expect(try HTTPTestClient.send("GET", "/v1/models", port: off.port, headers: [("Origin", "https://anyone.test")]).header("Access-Control-Allow-Origin") == nil)
    }
}
