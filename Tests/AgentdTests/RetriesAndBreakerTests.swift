import Foundation
import JSON
import MockLLMSupport
import RedisSupport
import Resilience
import Testing

/// Each upstream fault drives the behaviour README.md promises (API, "Protection and resilience"), counted at
/// mock-llm (requests per scenario).
@Suite("retries, circuit breaker and fallbacks through agentd", .serialized)
struct RetriesAndBreakerTests {
    /// Short backoffs so the suite stays fast; the breaker's own tests set its knobs.
    static let fastRetries = ["AGENTD_RETRY_BASE_MS": "20", "AGENTD_RETRY_MAX_MS": "2000"]

    static func calls(_ mock: MockLLMProcess, scenario: String) throws -> Int {
        (try mock.stats()["requests_by_scenario"] as? [String: Any])?[scenario] as? Int ?? 0
    }

    static func chat(_ model: String, port: Int, headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try ChatRoutesTests.post(
            "/chat", #"{"message":"hello world","model":"\#(model)"}"#, port: port,
            headers: [("Content-Type", "application/json")] + headers
        )
    }

    static func chat(_ model: String, on agentd: AgentdUnderTest) throws -> HTTPTestResponse {
        try agentd.post("/chat", #"{"message":"hello world","model":"\#(model)"}"#)
    }

    static func metrics(of agentd: AgentdUnderTest) throws -> String {
        String(decoding: try agentd.send("GET", "/metrics").body, as: UTF8.self)
    }

    static func metrics(port: Int) throws -> String {
        String(decoding: try HTTPTestClient.send("GET", "/metrics", port: port).body, as: UTF8.self)
    }

    @Test("two 503s then success: answered after 3 upstream calls, each retry counted", arguments: Level.allCases)
    func twoServiceUnavailableThenSuccess(_ level: Level) async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(level, Self.fastRetries)
        defer { agentd.stop(); mock.kill() }
        let response = try Self.chat("up:m?fault=503&times=2&scenario=s503", on: agentd)
        #expect(response.status == 200)
        #expect(try Self.calls(mock, scenario: "s503") == 3)
        #expect(try Self.metrics(of: agentd).contains(#"agentd_llm_retries_total{provider="up",reason="status_503"} 2"#))
    }

    /// In-process on a `ManualClock`: the retry waits for the clock, which the test moves past Retry-After.
    @Test("429 with Retry-After: 1 is waited out, then answered")
    func throttledIsWaitedOut() async throws {
        let clock = ManualClock()
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(.inProcess, Self.fastRetries, clock: clock)
        defer { agentd.stop(); mock.kill() }
        let answer = Task.detached {
            try agentd.post("/chat", #"{"message":"hi","model":"up:m?fault=429&times=1&retry_after=1&scenario=s429"}"#)
        }
        #expect(await waitUntil { clock.pendingTimers == 1 }, "the retry waits on the clock")
        #expect(try Self.calls(mock, scenario: "s429") == 1)
        clock.advance(byMs: 999)
        #expect(clock.pendingTimers == 1, "not before Retry-After")
        clock.advance(byMs: 1_000)
        let response = try await answer.value
        #expect(response.status == 200)
        #expect(try Self.calls(mock, scenario: "s429") == 2)
    }

    @Test("400 and insufficient_quota are called once and answered 502", arguments: Level.allCases, ["400", "insufficient_quota"])
    func notRetried(level: Level, fault: String) async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(level, Self.fastRetries)
        defer { agentd.stop(); mock.kill() }
        let response = try Self.chat("up:m?fault=\(fault)&scenario=once-\(fault)", on: agentd)
        #expect(response.status == 502)
        #expect(try JSONValue.parse(response.body)["error"]?["type"] == "upstream_error")
        #expect(try Self.calls(mock, scenario: "once-\(fault)") == 1)
    }

    @Test("529 overloaded is retried", arguments: Level.allCases)
    func overloadedIsRetried(_ level: Level) async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(level, Self.fastRetries)
        defer { agentd.stop(); mock.kill() }
        let response = try Self.chat("up:m?fault=529&times=1&scenario=s529", on: agentd)
        #expect(response.status == 200)
        #expect(try Self.calls(mock, scenario: "s529") == 2)
    }

    @Test("retries stop at AGENTD_RETRY_MAX_ATTEMPTS: 502 after exactly that many calls", arguments: Level.allCases)
    func attemptsAreBounded(_ level: Level) async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(level, Self.fastRetries.merging(["AGENTD_RETRY_MAX_ATTEMPTS": "2"]) { $1 })
        defer { agentd.stop(); mock.kill() }
        let response = try Self.chat("up:m?fault=500&scenario=always500", on: agentd)
        #expect(response.status == 502)
        #expect(try Self.calls(mock, scenario: "always500") == 2)
    }

    /// In-process on a `ManualClock`: the cool-down passes when the test says so, not after a sleep.
    @Test("consecutive 500s open the circuit: 503 at once without an upstream call; half-open probes close it again")
    func breakerOpensAndCloses() async throws {
        let mock = try await MockLLMProcess.start()
        let clock = ManualClock()
        let agentd = try await AgentdUnderTest.start(.inProcess, [
            "AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1", "AGENTD_DEFAULT_MODEL": "up:m",
            "AGENTD_RETRY_MAX_ATTEMPTS": "1", "AGENTD_BREAKER_WINDOW": "4", "AGENTD_BREAKER_MIN_CALLS": "4",
            "AGENTD_BREAKER_OPEN_MS": "600", "AGENTD_BREAKER_HALF_OPEN_CALLS": "2",
        ], clock: clock)
        defer { agentd.stop(); mock.kill() }
        let chat = { (model: String) throws -> HTTPTestResponse in try agentd.post("/chat", #"{"message":"hello world","model":"\#(model)"}"#) }
        let readMetrics = { () throws -> String in String(decoding: try agentd.send("GET", "/metrics").body, as: UTF8.self) }
        for _ in 0..<4 {
            #expect(try chat("up:m?fault=500&scenario=down").status == 502)
        }
        #expect(try readMetrics().contains(#"agentd_circuit_breaker_state{provider="up"} 2"#))
        let before = try mock.stats()["requests_total"] as? Int
        let refused = try chat("up:m?scenario=while-open")
        #expect(refused.status == 503)
        #expect(try JSONValue.parse(refused.body)["error"]?["type"] == "unavailable")
        #expect(refused.header("Retry-After") == "1", "600 ms left, in whole seconds rounded up")
        #expect(try mock.stats()["requests_total"] as? Int == before)
        clock.advance(byMs: 599)
        #expect(try chat("up:m?scenario=still-open").status == 503, "1 ms of the cool-down is left")
        clock.advance(byMs: 1)
        for _ in 0..<2 {
            #expect(try chat("up:m?scenario=probe").status == 200)
        }
        let metrics = try readMetrics()
        #expect(metrics.contains(#"agentd_circuit_breaker_state{provider="up"} 0"#))
        #expect(metrics.contains(#"agentd_circuit_breaker_transitions_total{provider="up",to="open"} 1"#))
        #expect(metrics.contains(#"agentd_circuit_breaker_transitions_total{provider="up",to="half_open"} 1"#))
        #expect(metrics.contains(#"agentd_circuit_breaker_transitions_total{provider="up",to="closed"} 1"#))
        #expect(metrics.contains(#"agentd_llm_requests_total{provider="up",model="other",outcome="rejected"} 2"#))
        // The provider's component (in-process, the task store is not opened: its component is not looked at).
        let health = try JSONValue.parse(try agentd.send("GET", "/health").body)
        let up = health["components"]?.arrayValue?.first { $0["name"] == "provider:up" }
        #expect(up?["status"] == "healthy", "\(health)")
    }

    @Test("a model whose retries run out falls back to mock:echo, counted in agentd_llm_fallbacks_total", arguments: Level.allCases)
    func fallbackAnswers(_ level: Level) async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(level, Self.fastRetries.merging([
            "AGENTD_RETRY_MAX_ATTEMPTS": "2", "AGENTD_FALLBACK_MODELS": "mock:echo",
        ]) { $1 })
        defer { agentd.stop(); mock.kill() }
        let response = try Self.chat("up:m?fault=503&scenario=falls", on: agentd)
        #expect(response.status == 200)
        let json = try JSONValue.parse(response.body)
        #expect(json["model"] == "mock:echo")
        #expect(try Self.calls(mock, scenario: "falls") == 2)
        #expect(try Self.metrics(of: agentd).contains(#"agentd_llm_fallbacks_total{from="up:other",to="mock:echo"} 1"#))
    }

    @Test("an agent's own fallback_models take over from AGENTD_FALLBACK_MODELS for its turns; an agent without keeps the global ones", arguments: Level.allCases)
    func agentFallbacks(_ level: Level) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try #"""
        {"steady": {"model": "up:m?fault=503&scenario=steady-falls", "fallback_models": ["mock:echo"]},
         "plain": {"model": "up:m?fault=503&scenario=plain-falls"}}
        """#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(level, Self.fastRetries.merging([
            "AGENTD_RETRY_MAX_ATTEMPTS": "2", "AGENTD_FALLBACK_MODELS": "up:m?scenario=global", "AGENTD_AGENTS_FILE": file.path,
        ]) { $1 })
        defer { agentd.stop(); mock.kill() }
        let steady = try agentd.post("/chat", #"{"message":"hi","agent":"steady"}"#)
        #expect(steady.status == 200, "\(steady.bodyText)")
        #expect(try JSONValue.parse(steady.body)["model"] == "mock:echo", "\(steady.bodyText)")
        #expect(try Self.calls(mock, scenario: "steady-falls") == 2)
        #expect(try Self.calls(mock, scenario: "global") == 0)
        let plain = try agentd.post("/chat", #"{"message":"hi","agent":"plain"}"#)
        #expect(plain.status == 200, "\(plain.bodyText)")
        #expect(try JSONValue.parse(plain.body)["model"] != "mock:echo", "\(plain.bodyText)")
        #expect(try Self.calls(mock, scenario: "plain-falls") == 2)
        #expect(try Self.calls(mock, scenario: "global") == 1)
    }

    @Test("a non-retryable failure does not fall back", arguments: Level.allCases)
    func clientErrorsDoNotFallBack(_ level: Level) async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(level, ["AGENTD_FALLBACK_MODELS": "mock:echo"])
        defer { agentd.stop(); mock.kill() }
        #expect(try Self.chat("up:m?fault=400", on: agentd).status == 502)
    }

    @Test("a fallback model that names no provider stops agentd at start with status 2")
    func unknownFallbackRefused() async throws {
        let finished = try await AgentdProcess.run([], environment: ["AGENTD_FALLBACK_MODELS": "nowhere:x"])
        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.contains("AGENTD_FALLBACK_MODELS"))
    }
}
