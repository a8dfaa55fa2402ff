import MockLLMSupport
import Foundation
import Testing

/// The process around the routes: the listening line, --help, configuration errors, API keys, /stats.
@Suite struct ServiceTests {
    @Test func listeningLineIsOneJSONObjectWithThePort() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let lines = mock.standardOutput.text.split(separator: "\n").filter { $0.contains("\"msg\":\"listening\"") }
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["port"] as? Int == mock.port)
        #expect(object["level"] as? String == "info")
        // Written even when the log level would hide info lines: it is how clients learn the port.
        let quiet = try await MockLLMProcess.start(["MOCK_LLM_LOG_LEVEL": "error"])
        defer { quiet.kill() }
        #expect(try quiet.request("GET", "/health").status == 200)
    }

    @Test func helpListsRoutesVariablesAndKnobs() async throws {
        let result = try await MockLLMProcess.run(["--help"])
        #expect(result.status == 0)
        for word in ["/v1/chat/completions", "/v1/messages", "/v1/models", "/health", "/stats", "/stats/reset",
                     "MOCK_LLM_HOST", "MOCK_LLM_PORT", "MOCK_LLM_MAX_CONNECTIONS", "MOCK_LLM_LOG_LEVEL", "MOCK_LLM_API_KEY",
                     "fault", "times", "scenario", "latency_ms", "chunks", "chunk_delay_ms", "retry_after",
                     "X-Mock-Fault", "X-Mock-Tool-Call", "X-Mock-Retry-After", "hang", "reset", "malformed"] {
            #expect(result.output.contains(word), "--help mentions \(word)")
        }
    }

    @Test(arguments: [("MOCK_LLM_PORT", "http"), ("MOCK_LLM_PORT", "70000"), ("MOCK_LLM_LOG_LEVEL", "loud"),
                      ("MOCK_LLM_MAX_CONNECTIONS", "0"), ("MOCK_LLM_HOST", "local host")])
    func badConfigurationExitsWithStatus2(variable: String, value: String) async throws {
        let result = try await MockLLMProcess.run([], environment: [variable: value])
        #expect(result.status == 2)
        #expect(result.error.contains(variable))
        #expect(result.error.split(separator: "\n").count == 1)
    }

    @Test func apiKeyIsRequiredInEachProvidersWay() async throws {
        let mock = try await MockLLMProcess.start(["MOCK_LLM_API_KEY": "sk-test"])
        defer { mock.kill() }
        let missing = try mock.request("POST", "/v1/chat/completions", body: Body.openAI())
        #expect(missing.status == 401)
        #expect(value(try missing.json(), "error", "code") as? String == "invalid_api_key")
        let wrong = try mock.request("POST", "/v1/chat/completions", headers: [("Authorization", "Bearer nope")], body: Body.openAI())
        #expect(wrong.status == 401)
        let right = try mock.request("POST", "/v1/chat/completions", headers: [("Authorization", "Bearer sk-test")], body: Body.openAI())
        #expect(right.status == 200)

        let anthropicMissing = try mock.request(
            "POST", "/v1/messages", headers: Body.anthropicHeaders + [("Authorization", "Bearer sk-test")], body: Body.anthropic())
        #expect(anthropicMissing.status == 401)
        #expect(value(try anthropicMissing.json(), "error", "type") as? String == "authentication_error")
        let anthropicRight = try mock.request(
            "POST", "/v1/messages", headers: Body.anthropicHeaders + [("x-api-key", "sk-test")], body: Body.anthropic())
        #expect(anthropicRight.status == 200)

        #expect(try mock.request("GET", "/v1/models").status == 401)
        #expect(try mock.request("GET", "/v1/models", headers: [("Authorization", "Bearer sk-test")]).status == 200)
        #expect(try mock.request("GET", "/health").status == 200)
    }

    @Test func statsCountByPathAndResetKeepsScenarioStateUnlessAsked() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        _ = try mock.request("GET", "/health")
        _ = try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: Body.anthropic())
        let model = "gpt-4o-mini?fault=429&times=1&scenario=once"
        #expect(try mock.request("POST", "/v1/chat/completions", body: Body.openAI(model: model)).status == 429)
        var stats = try mock.stats()
        #expect(stats["requests_total"] as? Int == 3, "/stats itself is not counted")
        #expect(value(stats, "requests_by_path", "/health") as? Int == 1)
        #expect(value(stats, "requests_by_path", "/v1/messages") as? Int == 1)

        #expect(try mock.request("POST", "/stats/reset").status == 200)
        stats = try mock.stats()
        #expect(stats["requests_total"] as? Int == 0)
        #expect(stats["faults_served"] as? Int == 0)
        #expect((stats["requests_by_scenario"] as? [String: Any])?.isEmpty == true)
        // The scenario's fault was used up, and a plain reset does not re-arm it...
        #expect(try mock.request("POST", "/v1/chat/completions", body: Body.openAI(model: model)).status == 200)
        // ...but ?scenarios=true does.
        _ = try mock.request("POST", "/stats/reset?scenarios=true")
        #expect(try mock.request("POST", "/v1/chat/completions", body: Body.openAI(model: model)).status == 429)
    }
}
