import Foundation
import JSON
import MockLLMSupport
import Resilience
import Testing

/// API keys, the per-client token bucket, daily token budgets and the response cache, end to end.
@Suite("keys, limits, budgets and the cache", .serialized)
struct ClientLimitsTests {
    static let json = ("Content-Type", "application/json")

    static func chat(port: Int, headers: [(String, String)] = [], message: String = "hello world") throws -> HTTPTestResponse {
        try ChatRoutesTests.post("/chat", #"{"message":"\#(message)"}"#, port: port, headers: [json] + headers)
    }

    static func chat(_ agentd: AgentdUnderTest, headers: [(String, String)] = [], message: String = "hello world") throws -> HTTPTestResponse {
        try agentd.post("/chat", #"{"message":"\#(message)"}"#, headers: [json] + headers)
    }

    @Test("with keys configured, a request needs one: 401 with WWW-Authenticate, Bearer and X-API-Key accepted")
    func keysAreRequired() async throws {
        let agentd = try await AgentdProcess.serve(["AGENTD_API_KEYS": "sk-first, sk-second", "AGENTD_LOG_LEVEL": "info"])
        defer { agentd.kill() }
        let missing = try Self.chat(port: agentd.port)
        #expect(missing.status == 401)
        #expect(missing.header("WWW-Authenticate") == "Bearer")
        #expect(try JSONValue.parse(missing.body)["error"]?["type"] == "unauthorized")
        #expect(try Self.chat(port: agentd.port, headers: [("Authorization", "Bearer sk-wrong")]).status == 401)
        #expect(try Self.chat(port: agentd.port, headers: [("Authorization", "Bearer sk-first")]).status == 200)
        #expect(try Self.chat(port: agentd.port, headers: [("X-API-Key", "sk-second")]).status == 200)
        let openAI = try ChatRoutesTests.post(
            "/v1/chat/completions", #"{"model":"mock:echo","messages":[{"role":"user","content":"hi"}]}"#, port: agentd.port
        )
        #expect(openAI.status == 401)
        #expect(try JSONValue.parse(openAI.body)["error"]?["type"] == "authentication_error")
        // Probes and /metrics need no key.
        for path in ["/health/live", "/health/ready", "/health", "/metrics"] {
            #expect(try HTTPTestClient.send("GET", path, port: agentd.port).status == 200, "\(path)")
        }
        agentd.signal(SIGTERM)
        _ = await agentd.waitForExit(timeout: .seconds(10))
        let output = agentd.standardOutput.text + agentd.standardError.text
        #expect(output.contains(#""client":"key1""#), "the access log names the key, never shows it")
        #expect(!output.contains("sk-first") && !output.contains("sk-second") && !output.contains("sk-wrong"))
    }

    @Test("keys from AGENTD_API_KEYS_FILE are matched by their sha256", arguments: Level.allCases)
    func hashedKeysFile(_ level: Level) async throws {
        let path = NSTemporaryDirectory() + "agentd-keys-\(UUID().uuidString)"
        // sha256("sk-from-file")
        let line = "ops sha256:" + Self.sha256Hex("sk-from-file") + "\n# a comment\n"
        try line.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let agentd = try await AgentdUnderTest.start(level, ["AGENTD_API_KEYS_FILE": path])
        defer { agentd.stop() }
        #expect(try Self.chat(agentd, headers: [("Authorization", "Bearer sk-from-file")]).status == 200)
        #expect(try Self.chat(agentd, headers: [("Authorization", "Bearer sk-other")]).status == 401)
    }

    @Test("AGENTD_METRICS_TOKEN protects /metrics", arguments: Level.allCases)
    func metricsToken(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level, ["AGENTD_METRICS_TOKEN": "scrape-me"])
        defer { agentd.stop() }
        #expect(try agentd.send("GET", "/metrics").status == 401)
        let allowed = try agentd.send("GET", "/metrics", headers: [("Authorization", "Bearer scrape-me")])
        #expect(allowed.status == 200)
        #expect(allowed.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
    }

    @Test("a non-loopback address with keys starts; without keys it is refused unless allowed")
    func nonLoopbackNeedsKeys() async throws {
        let refused = try await AgentdProcess.run([], environment: ["AGENTD_HOST": "0.0.0.0", "AGENTD_PORT": "0"])
        #expect(refused.exit == .exited(2))
        let agentd = try await AgentdProcess.serve(["AGENTD_HOST": "0.0.0.0", "AGENTD_API_KEYS": "sk-x"])
        defer { agentd.kill() }
        #expect(try HTTPTestClient.send("GET", "/health/live", port: agentd.port).status == 200)
    }

    @Test("the token bucket: burst, then 429 with Retry-After; X-RateLimit headers on every limited answer", arguments: Level.allCases)
    func rateLimit(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level, ["AGENTD_RATE_LIMIT_RPS": "0.5", "AGENTD_RATE_LIMIT_BURST": "3"])
        defer { agentd.stop() }
        for remaining in [2, 1, 0] {
            let response = try Self.chat(agentd)
            #expect(response.status == 200)
            #expect(response.header("X-RateLimit-Limit") == "3")
            #expect(response.header("X-RateLimit-Remaining") == String(remaining))
        }
        let limited = try Self.chat(agentd)
        #expect(limited.status == 429)
        #expect(try JSONValue.parse(limited.body)["error"]?["type"] == "rate_limited")
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(limited.header("X-RateLimit-Remaining") == "0")
        // Probes are not limited.
        #expect(try agentd.send("GET", "/health/live").status == 200)
        let metrics = String(decoding: try agentd.send("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"agentd_rate_limited_total{reason="rate"} 1"#))
    }

    @Test("buckets are per API key: one key spent, the other still served", arguments: Level.allCases)
    func bucketsPerKey(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level, [
            "AGENTD_API_KEYS": "sk-a,sk-b", "AGENTD_RATE_LIMIT_RPS": "0.1", "AGENTD_RATE_LIMIT_BURST": "1",
        ])
        defer { agentd.stop() }
        #expect(try Self.chat(agentd, headers: [("X-API-Key", "sk-a")]).status == 200)
        #expect(try Self.chat(agentd, headers: [("X-API-Key", "sk-a")]).status == 429)
        #expect(try Self.chat(agentd, headers: [("X-API-Key", "sk-b")]).status == 200)
    }

    @Test("a spent daily token budget is 429 budget_exceeded until the next UTC day", arguments: Level.allCases)
    func dailyBudget(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level, ["AGENTD_DAILY_TOKEN_BUDGET": "10"])
        defer { agentd.stop() }
        var statuses: [Int] = []
        for _ in 0..<6 { statuses.append(try Self.chat(agentd, message: "one two three four").status) }
        #expect(statuses.first == 200)
        #expect(statuses.last == 429, "\(statuses)")
        let refused = try Self.chat(agentd)
        #expect(try JSONValue.parse(refused.body)["error"]?["type"] == "budget_exceeded")
        let retryAfter = Int(refused.header("Retry-After") ?? "") ?? 0
        #expect(retryAfter >= 1 && retryAfter <= 86_400)
    }

    /// In-process on a `ManualClock`: the day turns when the test says so.
    @Test("a spent budget is back when the next UTC day starts, after the Retry-After it gave")
    func budgetReturnsTheNextDay() async throws {
        let clock = ManualClock()
        let agentd = try await AgentdUnderTest.start(.inProcess, ["AGENTD_DAILY_TOKEN_BUDGET": "10"], clock: clock)
        defer { agentd.stop() }
        var status = 200
        for _ in 0..<10 where status == 200 { status = try Self.chat(agentd, message: "one two three four").status }
        #expect(status == 429)
        let refused = try Self.chat(agentd)
        let retryAfter = try #require(Int(refused.header("Retry-After") ?? ""))
        clock.advance(byMs: Int64(retryAfter - 1) * 1000)
        #expect(try Self.chat(agentd).status == 429, "a second before the day ends")
        clock.advance(byMs: 1000)
        #expect(try Self.chat(agentd).status == 200, "the new day's budget")
    }

    @Test("identical concurrent misses make one upstream call; a repeat is a hit; Cache-Control: no-cache skips the cache")
    func cacheSingleFlight() async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(["AGENTD_CACHE_TTL_S": "60"])
        defer { agentd.kill(); mock.kill() }
        let body = #"{"model":"up:m?latency_ms=300&scenario=cached","messages":[{"role":"user","content":"same question"}]}"#
        let port = agentd.port
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<5 {
                group.addTask { try ChatRoutesTests.post("/v1/chat/completions", body, port: port).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [200, 200, 200, 200, 200])
        #expect(try RetriesAndBreakerTests.calls(mock, scenario: "cached") == 1)
        #expect(try ChatRoutesTests.post("/v1/chat/completions", body, port: port).status == 200)
        #expect(try RetriesAndBreakerTests.calls(mock, scenario: "cached") == 1)
        let fresh = try ChatRoutesTests.post(
            "/v1/chat/completions", body, port: port, headers: [Self.json, ("Cache-Control", "no-cache")]
        )
        #expect(fresh.status == 200)
        #expect(try RetriesAndBreakerTests.calls(mock, scenario: "cached") == 2)
        // A temperature above 0 is never cached.
        let warm = #"{"model":"up:m?scenario=warm","temperature":0.7,"messages":[{"role":"user","content":"q"}]}"#
        for _ in 0..<2 { #expect(try ChatRoutesTests.post("/v1/chat/completions", warm, port: port).status == 200) }
        #expect(try RetriesAndBreakerTests.calls(mock, scenario: "warm") == 2)
        let metrics = String(decoding: try HTTPTestClient.send("GET", "/metrics", port: port).body, as: UTF8.self)
        #expect(metrics.contains(#"agentd_cache_requests_total{result="miss"} 1"#))
        #expect(metrics.contains(#"agentd_cache_requests_total{result="hit"} 5"#))
    }

    static func sha256Hex(_ text: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
