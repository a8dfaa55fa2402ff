import Foundation
import JSON
import MockLLMSupport
import Testing

/// `/metrics` and the access log as operators see them.
@Suite("metrics and access logs", .serialized)
struct MetricsEndpointTests {
    /// The core families of docs/api.md's metrics table (Observability surface), each present from the first scrape.
    static let contractFamilies = [
        "agentd_http_requests_total", "agentd_http_request_duration_seconds", "agentd_http_in_flight_requests",
        "agentd_http_open_connections", "agentd_agent_requests_total", "agentd_llm_requests_total",
        "agentd_llm_request_duration_seconds", "agentd_llm_time_to_first_token_seconds", "agentd_llm_tokens_total",
        "agentd_llm_cost_usd_total", "agentd_llm_retries_total", "agentd_llm_fallbacks_total", "agentd_circuit_breaker_state",
        "agentd_circuit_breaker_transitions_total", "agentd_rate_limited_total", "agentd_cache_requests_total", "agentd_tasks",
        "agentd_tasks_finished_total", "agentd_task_queue_depth", "agentd_conversations", "agentd_build_info",
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
        "process_max_fds", "process_start_time_seconds",
    ]

    static func scrape(_ port: Int) throws -> String {
        String(decoding: try HTTPTestClient.send("GET", "/metrics", port: port).body, as: UTF8.self)
    }

    @Test("every contract family is present from the first scrape")
    func familiesFromTheStart() async throws {
        let agentd = try await AgentdProcess.serve()
        defer { agentd.kill() }
        let text = try Self.scrape(agentd.port)
        for family in Self.contractFamilies {
            #expect(text.contains("# TYPE \(family) "), "\(family) missing")
        }
        #expect(text.contains(#"agentd_build_info{version="#))
    }

    @Test("routes are templates, 404s are unmatched, client-chosen model names are `other`")
    func boundedLabels() async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start()
        defer { agentd.kill(); mock.kill() }
        for index in 0..<3 { _ = try HTTPTestClient.send("GET", "/no/such/path/\(index)", port: agentd.port) }
        _ = try HTTPTestClient.send("GET", "/health/live", port: agentd.port)
        for name in ["made-up-1", "made-up-2"] {
            _ = try ChatRoutesTests.post("/chat", #"{"message":"hi","model":"up:\#(name)"}"#, port: agentd.port)
        }
        _ = try ChatRoutesTests.post("/chat", #"{"message":"hi","model":"up:m"}"#, port: agentd.port)
        let text = try Self.scrape(agentd.port)
        #expect(text.contains(#"agentd_http_requests_total{route="unmatched",method="GET",code="404"} 3"#))
        #expect(text.contains(#"agentd_http_requests_total{route="/health/live",method="GET",code="200"} "#))
        #expect(!text.contains("/no/such/path"))
        #expect(!text.contains("made-up"))
        #expect(text.contains(#"agentd_llm_requests_total{provider="up",model="other",outcome="success"} 2"#))
        #expect(text.contains(#"agentd_llm_requests_total{provider="up",model="m",outcome="success"} 1"#))
        #expect(text.contains(#"agentd_llm_tokens_total{provider="up",model="m",type="output"}"#))
        #expect(text.contains(#"agentd_agent_requests_total{agent="default",outcome="success"} 3"#))
    }

    @Test("promtool check metrics finds nothing to report", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool")))
    func promtoolIsSilent() async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start()
        defer { agentd.kill(); mock.kill() }
        _ = try ChatRoutesTests.post("/chat", #"{"message":"hi","model":"up:m","stream":true}"#, port: agentd.port)
        _ = try ChatRoutesTests.post("/chat", #"{"message":"hi","model":"up:m?fault=400"}"#, port: agentd.port)
        _ = try HTTPTestClient.send("GET", "/nowhere", port: agentd.port)
        let exposition = try HTTPTestClient.send("GET", "/metrics", port: agentd.port).body
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(report.isEmpty, "\(report)")
    }

    @Test("one JSON access line per request, with the contract's fields and the upstream's")
    func accessLine() async throws {
        let (mock, agentd) = try await UpstreamThroughAgentdTests.start(["AGENTD_LOG_LEVEL": "info"])
        defer { agentd.kill(); mock.kill() }
        let response = try ChatRoutesTests.post(
            "/chat", #"{"message":"secret words here","model":"up:m"}"#, port: agentd.port,
            headers: [("Content-Type", "application/json"), ("X-Request-ID", "trace-me-123")]
        )
        #expect(response.status == 200)
        let line = try #require(await agentd.standardOutput.waitForLine(timeout: .seconds(3), where: { $0.contains("trace-me-123") }))
        let json = try JSONValue.parse(line)
        #expect(json["msg"] == "request")
        #expect(json["level"] == "info")
        #expect(json["request_id"] == "trace-me-123")
        #expect(json["method"] == "POST")
        #expect(json["route"] == "/chat")
        #expect(json["status"] == 200)
        #expect(json["duration_ms"]?.doubleValue != nil)
        #expect(json["client"] == "127.0.0.1")
        #expect(json["provider"] == "up")
        #expect(json["model"] == "up:m")
        #expect(json["attempts"] == 1)
        #expect(json["output_tokens"]?.intValue != nil)
        #expect(json["ts"]?.stringValue?.hasSuffix("Z") == true)
        #expect(!agentd.standardOutput.text.contains("secret words"), "message content never reaches the log")
    }
}
