import Foundation
import JSON
import MockLLMSupport
import RedisSupport
import Testing

/// OpenTelemetry traces (docs/api.md, Tracing) into a test collector: the span tree of a chat with a tool step and
/// of a task, parentage under the caller's traceparent, what the provider and the tool see, a dead collector,
/// and the sampling ratio.
@Suite("traces", .serialized)
struct TracesThroughAgentdTests {
    static let caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    static let callerTrace = "0af7651916cd43dd8448eb211c80319c"

    /// Every span the collector received, flattened with the resource's attributes.
    static func spans(_ collector: WebhookReceiver) -> [JSONValue] {
        collector.requests.filter { $0.path == "/v1/traces" }.flatMap { request -> [JSONValue] in
            let body = (try? JSONValue.parse(request.body)) ?? .null
            return (body["resourceSpans"]?.arrayValue ?? []).flatMap { resource in
                (resource["scopeSpans"]?.arrayValue ?? []).flatMap { $0["spans"]?.arrayValue ?? [] }
            }
        }
    }

    /// Waits until the collector has a span of each name (spans of one request are recorded on different threads
    /// and may arrive in different batches), then returns them all.
    static func waitForSpans(_ collector: WebhookReceiver, named names: [String]) async -> [JSONValue] {
        _ = await waitUntil(.seconds(5)) {
            let spans = Self.spans(collector)
            return names.allSatisfy { name in spans.contains { $0["name"]?.stringValue == name } }
        }
        return Self.spans(collector)
    }

    static func attribute(_ span: JSONValue, _ key: String) -> JSONValue? {
        let value = span["attributes"]?.arrayValue?.first { $0["key"]?.stringValue == key }?["value"]
        return value?["stringValue"] ?? value?["intValue"] ?? value?["doubleValue"] ?? value?["boolValue"] ?? value?["arrayValue"]
    }

    static func collector() throws -> WebhookReceiver {
        try WebhookReceiver { _ in (200, "{}", 0) }
    }

    static func tracing(_ collector: WebhookReceiver, _ extra: [String: String] = [:]) -> [String: String] {
        ["AGENTD_OTLP_ENDPOINT": "http://127.0.0.1:\(collector.port)", "AGENTD_OTLP_INTERVAL_MS": "50", "AGENTD_RATE_LIMIT_RPS": "0"]
            .merging(extra) { $1 }
    }

    @Test("a chat with a tool step is one trace under the caller's span: server, model calls, the tool; each sees its own parent")
    func chatWithAToolStep() async throws {
        let collector = try Self.collector()
        defer { collector.stop() }
        let tools = try WebhookReceiver { _ in (200, #"{"sky":"clear"}"#, 0) }
        defer { tools.stop() }
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let (agentd, file) = try await AgentToolsTests.agentd(
            #"{"weather": {"model": "up:m-tool", "tools": [\#(AgentToolsTests.tool("get_weather", path: "/ok", port: tools.port))]}}"#,
            Self.tracing(collector, ["AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1", "AGENTD_REPLICA_ID": "replica-7"])
        )
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        let response = try AgentToolsTests.chat(#"{"agent":"weather","message":"Paris"}"#, port: agentd.port, headers: [("traceparent", Self.caller)])
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(await waitUntil(.seconds(5)) { Self.spans(collector).count >= 4 })
        let spans = Self.spans(collector)
        #expect(spans.allSatisfy { $0["traceId"]?.stringValue == Self.callerTrace }, "one trace: \(spans)")
        let server = try #require(spans.first { $0["kind"] == 2 })
        #expect(server["name"] == "POST /chat" && server["parentSpanId"] == "b7ad6b7169203331")
        #expect(Self.attribute(server, "http.route") == "/chat" && Self.attribute(server, "http.request.method") == "POST")
        #expect(Self.attribute(server, "http.response.status_code") == "200")
        let serverID = try #require(server["spanId"]?.stringValue)
        let models = spans.filter { $0["kind"] == 3 }
        #expect(models.count == 2 && models.allSatisfy { $0["parentSpanId"]?.stringValue == serverID })
        #expect(models.allSatisfy { $0["name"] == "chat m-tool" && Self.attribute($0, "gen_ai.system") == "up" })
        #expect(models.allSatisfy { Self.attribute($0, "gen_ai.request.model") == "m-tool" && Self.attribute($0, "gen_ai.usage.input_tokens") != nil })
        let tool = try #require(spans.first { $0["name"] == "execute_tool get_weather" })
        #expect(tool["parentSpanId"]?.stringValue == serverID && Self.attribute(tool, "gen_ai.tool.name") == "get_weather")
        // The tool and the provider were sent their own span as the parent.
        let toolSpanID = try #require(tool["spanId"]?.stringValue)
        #expect(tools.requests.first?.headers["traceparent"] == "00-\(Self.callerTrace)-\(toolSpanID)-01")
        // The resource names the service and the replica.
        let resource = try JSONValue.parse(try #require(collector.requests.first?.body))["resourceSpans"]?[0]?["resource"]
        let names = (resource?["attributes"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue }
        #expect(names.contains("service.name") && names.contains("service.version") && names.contains("service.instance.id"))
        #expect(resource?["attributes"]?.arrayValue?.contains { $0["value"]?["stringValue"] == "replica-7" } == true)
        // The access line carries the trace.
        #expect(await waitUntil { agentd.standardOutput.text.contains("\"trace_id\":\"\(Self.callerTrace)\"") })
    }

    @Test("a task run is a trace of its own, linked to the submitting request; its model call is its child; its webhook is the request's")
    func taskRun() async throws {
        let collector = try Self.collector()
        defer { collector.stop() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let agentd = try await AgentdProcess.serve(Self.tracing(collector))
        defer { agentd.kill() }
        #expect(await waitUntil { (try? HTTPTestClient.send("GET", "/health/ready", port: agentd.port))?.status == 200 })
        let callback = "http://127.0.0.1:\(receiver.port)/hook?token=secret"
        let submitted = try ChatRoutesTests.post("/tasks", #"{"message":"hello task","callback_url":"\#(callback)"}"#, port: agentd.port, headers: [
            ("Content-Type", "application/json"), ("traceparent", Self.caller),
        ])
        #expect(submitted.status == 202)
        let spans = await Self.waitForSpans(collector, named: ["task.run", "chat echo", "POST /tasks"])
        let submit = try #require(spans.first { $0["name"] == "POST /tasks" })
        let run = try #require(spans.first { $0["name"] == "task.run" })
        #expect(run["kind"] == 5 && run["traceId"]?.stringValue != Self.callerTrace)
        #expect(run["links"]?[0]?["traceId"]?.stringValue == Self.callerTrace && run["links"]?[0]?["spanId"] == submit["spanId"])
        let model = try #require(spans.first { $0["name"] == "chat echo" })
        #expect(model["traceId"] == run["traceId"] && model["parentSpanId"] == run["spanId"])
        // The webhook: a client span under the submitting request, whose context the receiver got.
        #expect(await waitUntil(.seconds(5)) { Self.spans(collector).contains { $0["name"] == "POST" && $0["kind"] == 3 } })
        let hook = try #require(Self.spans(collector).first { $0["name"] == "POST" && $0["kind"] == 3 })
        #expect(hook["traceId"]?.stringValue == Self.callerTrace && hook["parentSpanId"] == submit["spanId"])
        #expect(Self.attribute(hook, "url.full")?.stringValue == "http://127.0.0.1:\(receiver.port)/hook")
        #expect(Self.attribute(hook, "http.response.status_code")?.stringValue == "204")
        let header = try #require(receiver.requests.first?.headers["traceparent"])
        #expect(header == "00-\(Self.callerTrace)-\(hook["spanId"]?.stringValue ?? "")-01")
    }

    @Test("an MCP tool call is a client span under its tool span, and the server gets its traceparent; session set-up is traced too")
    func mcpCalls() async throws {
        let collector = try Self.collector()
        defer { collector.stop() }
        let server = try await MCPServerProcess(mode: "sse")
        defer { server.kill() }
        let (agentd, file) = try await AgentToolsTests.agentd(
            MCPToolsTests.agents([("search", server, "traced")]), Self.tracing(collector)
        )
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        #expect(await MCPToolsTests.waitUntilServersUp(agentd))
        let answer = try JSONValue.parse(try AgentToolsTests.chat(#"{"agent":"agent","message":"x"}"#, port: agentd.port, headers: [
            ("traceparent", Self.caller),
        ]).body)
        let said = try #require(answer["response"]?.stringValue, "\(answer)")
        let spans = await Self.waitForSpans(collector, named: [
            "tools/call traced", "execute_tool traced", "initialize", "notifications/initialized", "tools/list",
        ])
        let tool = try #require(spans.first { $0["name"] == "execute_tool traced" })
        let call = try #require(spans.first { $0["name"] == "tools/call traced" })
        #expect(call["kind"] == 3 && call["traceId"]?.stringValue == Self.callerTrace && call["parentSpanId"] == tool["spanId"])
        #expect(Self.attribute(call, "mcp.method.name")?.stringValue == "tools/call")
        #expect(Self.attribute(call, "mcp.session.id")?.stringValue?.isEmpty == false)
        #expect(said == "tool said: traceparent: 00-\(Self.callerTrace)-\(call["spanId"]?.stringValue ?? "")-01")
        for method in ["initialize", "notifications/initialized", "tools/list"] {
            let setUp = spans.first { $0["name"]?.stringValue == method }
            #expect(setUp?["kind"] == 3 && Self.attribute(setUp ?? .null, "agentd.mcp.server")?.stringValue == "search", "\(method)")
        }
    }

    @Test("a dead collector changes no answer and loses no request; its spans are counted as dropped")
    func deadCollector() async throws {
        let dead = try RedisServerProcess.freePort()
        let agentd = try await AgentdProcess.serve([
            "AGENTD_OTLP_ENDPOINT": "http://127.0.0.1:\(dead)", "AGENTD_OTLP_INTERVAL_MS": "20", "AGENTD_RATE_LIMIT_RPS": "0",
            "AGENTD_OTLP_QUEUE_MAX": "64",
        ])
        defer { agentd.kill() }
        for index in 0..<200 {
            let response = try ChatRoutesTests.post("/chat", #"{"message":"hi \#(index)"}"#, port: agentd.port)
            #expect(response.status == 200)
        }
        #expect(await waitUntil(.seconds(5)) { TasksAcrossReplicasTests.metric("agentd_trace_spans_dropped_total", on: agentd) >= 1 })
    }

    @Test("a slow collector is not waited for: answers stay fast while exports time out")
    func slowCollector() async throws {
        let slow = try WebhookReceiver { _ in (200, "{}", 3000) }
        defer { slow.stop() }
        let agentd = try await AgentdProcess.serve(Self.tracing(slow, ["AGENTD_OTLP_TIMEOUT_MS": "500"]))
        defer { agentd.kill() }
        let started = ContinuousClock.now
        for _ in 0..<100 {
            #expect(try ChatRoutesTests.post("/chat", #"{"message":"hi"}"#, port: agentd.port).status == 200)
        }
        #expect(ContinuousClock.now - started < .seconds(3), "100 answers do not wait for a collector that takes 3 s")
    }

    @Test("the sample ratio holds over 1,000 new traces; a caller's sampled flag decides for its own")
    func sampling() async throws {
        let collector = try Self.collector()
        defer { collector.stop() }
        let agentd = try await AgentdProcess.serve(Self.tracing(collector, ["AGENTD_TRACE_SAMPLE_RATIO": "0.25"]))
        defer { agentd.kill() }
        for _ in 0..<1000 {
            _ = try HTTPTestClient.send("GET", "/v1/models", port: agentd.port)
        }
        let unsampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
        for traceparent in [Self.caller, unsampled] {
            _ = try HTTPTestClient.send("GET", "/v1/models", port: agentd.port, headers: [("traceparent", traceparent)])
        }
        // The last request's span is exported once the interval passes; 1000 at 25 %: 250 ± 4.5 σ (σ ≈ 13.7).
        #expect(await waitUntil(.seconds(5)) { Self.spans(collector).contains { $0["traceId"]?.stringValue == Self.callerTrace } })
        let spans = Self.spans(collector)
        let fresh = spans.filter { $0["traceId"]?.stringValue != Self.callerTrace }.count
        #expect((189...311).contains(fresh), "\(fresh) of 1000 sampled at 0.25")
        #expect(spans.filter { $0["traceId"]?.stringValue == Self.callerTrace }.count == 1, "the sampled caller's, not the unsampled one's")
    }
}
