import MockLLMSupport
import Foundation
import Testing

/// Injected failures: statuses with each provider's error body, Retry-After, times per scenario, and the
/// connection-level faults (hang, reset, malformed).
@Suite struct FaultTests {
    struct StatusFault: Sendable, CustomStringConvertible {
        let fault: String
        let anthropic: Bool
        let status: Int
        let type: String
        let code: String?
        var description: String { "\(anthropic ? "anthropic" : "openai") \(fault)" }
    }

    static let statusFaults: [StatusFault] = [
        StatusFault(fault: "429", anthropic: false, status: 429, type: "requests", code: "rate_limit_exceeded"),
        StatusFault(fault: "insufficient_quota", anthropic: false, status: 429, type: "insufficient_quota", code: "insufficient_quota"),
        StatusFault(fault: "500", anthropic: false, status: 500, type: "server_error", code: nil),
        StatusFault(fault: "503", anthropic: false, status: 503, type: "server_error", code: "service_unavailable"),
        StatusFault(fault: "529", anthropic: false, status: 529, type: "server_error", code: "overloaded"),
        StatusFault(fault: "400", anthropic: false, status: 400, type: "invalid_request_error", code: nil),
        StatusFault(fault: "401", anthropic: false, status: 401, type: "invalid_request_error", code: "invalid_api_key"),
        StatusFault(fault: "429", anthropic: true, status: 429, type: "rate_limit_error", code: nil),
        StatusFault(fault: "insufficient_quota", anthropic: true, status: 400, type: "invalid_request_error", code: nil),
        StatusFault(fault: "500", anthropic: true, status: 500, type: "api_error", code: nil),
        StatusFault(fault: "503", anthropic: true, status: 503, type: "api_error", code: nil),
        StatusFault(fault: "529", anthropic: true, status: 529, type: "overloaded_error", code: nil),
        StatusFault(fault: "400", anthropic: true, status: 400, type: "invalid_request_error", code: nil),
        StatusFault(fault: "401", anthropic: true, status: 401, type: "authentication_error", code: nil),
    ]

    @Test(arguments: statusFaults)
    func statusFaultHasTheProvidersErrorBody(_ expected: StatusFault) async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let response = expected.anthropic
            ? try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders,
                               body: Body.anthropic(model: "claude?fault=\(expected.fault)"))
            : try mock.request("POST", "/v1/chat/completions", body: Body.openAI(model: "gpt-4o-mini?fault=\(expected.fault)"))
        #expect(response.status == expected.status)
        let body = try response.json()
        if expected.anthropic {
            #expect(body["type"] as? String == "error")
            #expect(value(body, "error", "type") as? String == expected.type)
            #expect(value(body, "error", "message") is String)
        } else {
            #expect(value(body, "error", "type") as? String == expected.type)
            #expect(value(body, "error", "code") as? String == expected.code)
            #expect(value(body, "error", "param") is NSNull)
            #expect(value(body, "error", "message") is String)
        }
        let isRateLimit = expected.fault == "429"
        #expect((response.header("Retry-After") == "1") == isRateLimit)
        #expect((response.header("retry-after-ms") == "1000") == isRateLimit)
        let stats = try mock.stats()
        #expect(stats["faults_served"] as? Int == 1)
        #expect(value(stats, "faults_by_kind", expected.fault) as? Int == 1)
    }

    @Test func retryAfterFromHeaderAndHeadersWinOverModelOptions() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let response = try mock.request(
            "POST", "/v1/chat/completions", headers: [("X-Mock-Fault", "429"), ("X-Mock-Retry-After", "7")],
            body: Body.openAI(model: "gpt-4o-mini?fault=500&retry_after=2"))
        #expect(response.status == 429)
        #expect(response.header("Retry-After") == "7")
        #expect(response.header("retry-after-ms") == "7000")
        let overloaded = try mock.request(
            "POST", "/v1/messages", headers: Body.anthropicHeaders, body: Body.anthropic(model: "claude?fault=529&retry_after=3"))
        #expect(overloaded.status == 529)
        #expect(overloaded.header("Retry-After") == "3")
    }

    @Test func timesWithScenarioFaultsOnlyTheFirstRequests() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let model = "gpt-4o-mini?fault=503&times=2&scenario=flaky-1"
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(try mock.request("POST", "/v1/chat/completions", body: Body.openAI(model: model)).status) }
        #expect(statuses == [503, 503, 200])
        // Another scenario has its own count; headers name scenarios too.
        let other = try mock.request(
            "POST", "/v1/chat/completions", headers: [("X-Mock-Scenario", "flaky-2"), ("X-Mock-Times", "1"), ("X-Mock-Fault", "500")],
            body: Body.openAI())
        #expect(other.status == 500)
        let stats = try mock.stats()
        #expect(value(stats, "requests_by_scenario", "flaky-1") as? Int == 3)
        #expect(value(stats, "requests_by_scenario", "flaky-2") as? Int == 1)
        #expect(stats["faults_served"] as? Int == 3)
        #expect(value(stats, "requests_by_path", "/v1/chat/completions") as? Int == 4)
    }

    @Test func hangNeverAnswersAndCountsTheClientLeavingAsCancelled() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        var client: MockHTTPClient? = try MockHTTPClient(port: mock.port)
        client?.send("POST", "/v1/chat/completions", body: Body.openAI(model: "gpt-4o-mini?fault=hang"))
        #expect(client?.hasData(withinMs: 500) == false)
        #expect(try mock.stats()["requests_pending"] as? Int == 1)
        client = nil  // closes the socket
        #expect(try await mock.waitForStats { $0["requests_cancelled"] as? Int == 1 && $0["requests_pending"] as? Int == 0 })
        // A hung stream counts as a cancelled stream.
        var streaming: MockHTTPClient? = try MockHTTPClient(port: mock.port)
        streaming?.send("POST", "/v1/messages", headers: Body.anthropicHeaders + [("X-Mock-Fault", "hang")],
                        body: Body.anthropic(extra: ["stream": true]))
        #expect(try await mock.waitForStats { $0["streams_active"] as? Int == 1 })
        #expect(streaming?.hasData(withinMs: 300) == false)
        streaming = nil
        #expect(try await mock.waitForStats { $0["streams_cancelled"] as? Int == 1 && $0["streams_active"] as? Int == 0 })
    }

    @Test(arguments: [false, true])
    func resetMidStreamCutsTheConnectionAfterHalfTheChunks(anthropic: Bool) async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let client = try MockHTTPClient(port: mock.port)
        if anthropic {
            client.send("POST", "/v1/messages", headers: Body.anthropicHeaders,
                        body: Body.anthropic(model: "claude?fault=reset&chunks=4", text: "a b c d e f", extra: ["stream": true]))
        } else {
            client.send("POST", "/v1/chat/completions",
                        body: Body.openAI(model: "gpt-4o-mini?fault=reset&chunks=4", text: "a b c d e f", extra: ["stream": true]))
        }
        let head = try client.readHead()
        #expect(head.status == 200)
        let (body, error) = client.readChunksUntilEnd()
        #expect(error == .reset || error == .closed, "the body must not end cleanly")
        let events = SSEEvent.parse(String(decoding: body, as: UTF8.self))
        let deltas = events.filter { $0.event == "content_block_delta" || ($0.event == nil && $0.data.contains("\"content\":\"") && !$0.data.contains("\"role\"")) }
        #expect(deltas.count >= 1 && deltas.count <= 2, "some but at most half of the 4 chunks arrive")
        #expect(!events.contains { $0.data == "[DONE]" || $0.event == "message_stop" })
        #expect(try await mock.waitForStats { $0["streams_reset"] as? Int == 1 && $0["streams_active"] as? Int == 0 })
    }

    /// No response at all, not even a head: the connection is reset under the request.
    @Test func resetWithoutStreamGivesNoResponseAtAll() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let client = try MockHTTPClient(port: mock.port)
        client.send("POST", "/v1/chat/completions", body: Body.openAI(model: "gpt-4o-mini?fault=reset"))
        #expect(throws: MockHTTPClient.ClientError.self) { _ = try client.readHead() }
    }

    @Test func malformedNonStreamIsA200WithCutJSON() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        for anthropic in [false, true] {
            let response = anthropic
                ? try mock.request("POST", "/v1/messages", headers: Body.anthropicHeaders, body: Body.anthropic(model: "c?fault=malformed"))
                : try mock.request("POST", "/v1/chat/completions", body: Body.openAI(model: "g?fault=malformed"))
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(!response.body.isEmpty)
            #expect(throws: (any Error).self) { _ = try response.json() }
        }
    }

    @Test func malformedStreamSendsOneGoodChunkThenBrokenDataAndEnds() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let response = try mock.request(
            "POST", "/v1/chat/completions", body: Body.openAI(model: "gpt-4o-mini?fault=malformed", extra: ["stream": true]))
        #expect(response.status == 200)
        let events = SSEEvent.parse(response.text)
        #expect(events.last?.data == "{not json")
        #expect(!events.contains { $0.data == "[DONE]" })
        let good = events.dropLast()
        #expect(!good.isEmpty)
        for event in good { #expect(throws: Never.self) { _ = try event.json() } }
        let anthropic = try mock.request(
            "POST", "/v1/messages", headers: Body.anthropicHeaders, body: Body.anthropic(model: "c?fault=malformed", extra: ["stream": true]))
        let anthropicEvents = SSEEvent.parse(anthropic.text)
        #expect(anthropicEvents.first?.event == "message_start")
        #expect(anthropicEvents.last?.data == "{not json")
        #expect(!anthropicEvents.contains { $0.event == "message_stop" })
    }
}
