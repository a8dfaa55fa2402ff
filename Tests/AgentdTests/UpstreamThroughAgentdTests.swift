import Foundation
import Glibc
import JSON
import MockLLMSupport
import Resilience
import Testing
@testable import agentd

/// agentd in front of a live mock-llm: what a client sees when the upstream is slow, fails or is abandoned.
@Suite("agentd in front of an upstream")
struct UpstreamThroughAgentdTests {
    static func start(_ extra: [String: String] = [:]) async throws -> (MockLLMProcess, AgentdProcess) {
        let mock = try await MockLLMProcess.start()
        var environment = ["AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1", "AGENTD_DEFAULT_MODEL": "up:m"]
        environment.merge(extra) { _, new in new }
        do {
            return (mock, try await AgentdProcess.serve(environment))
        } catch {
            mock.kill()
            throw error
        }
    }

    /// mock-llm as provider `up` (the default model `up:m`), and agentd at `level` in front of it.
    static func start(
        _ level: Level, _ extra: [String: String] = [:], clock: any TimeSource = SystemClock()
    ) async throws -> (MockLLMProcess, AgentdUnderTest) {
        let mock = try await MockLLMProcess.start()
        var environment = ["AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1", "AGENTD_DEFAULT_MODEL": "up:m"]
        environment.merge(extra) { _, new in new }
        do {
            return (mock, try await AgentdUnderTest.start(level, environment, clock: clock))
        } catch {
            mock.kill()
            throw error
        }
    }

    static func chat(_ body: String, port: Int) throws -> HTTPTestResponse {
        try ChatRoutesTests.post("/chat", body, port: port)
    }

    @Test("an upstream slower than the keep-alive interval gets `: keep-alive` comments before its first byte")
    func keepAliveWhileTheUpstreamThinks() async throws {
        let (mock, agentd) = try await Self.start(["AGENTD_SSE_KEEPALIVE_MS": "200"])
        defer { agentd.kill(); mock.kill() }
        let response = try Self.chat(#"{"message":"slow one","stream":true,"model":"up:m?latency_ms=900"}"#, port: agentd.port)
        let text = String(decoding: ChatRoutesTests.dechunk(response.body), as: UTF8.self)
        #expect(response.status == 200)
        #expect(text.hasPrefix(": keep-alive\n\n"), "\(text)")
        #expect(text.contains(#""type":"done""#))
    }

    @Test("streams share one keep-alive timer per interval, and a stream that ended leaves it")
    func finishedStreamsLeaveTheKeepAliveTimer() async throws {
        // An interval no other test uses: the timers are shared by the whole process.
        let agentd = try await AgentdUnderTest.start(.inProcess, ["AGENTD_SSE_KEEPALIVE_MS": "333"])
        defer { agentd.stop() }
        let timer = KeepAliveTimer.every(111)
        #expect(timer.memberCount == 0)
        for _ in 0..<3 {
            let response = try agentd.post("/chat", #"{"message":"one two three","stream":true}"#)
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains(#""type":"done""#))
        }
        #expect(KeepAliveTimer.every(111) === timer)
        #expect(timer.memberCount == 0)
    }

    @Test("an upstream reset mid-stream ends the client's stream with an error event", arguments: Level.allCases)
    func resetMidStream(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        let response = try agentd.post("/chat", #"{"message":"a b c d e f","stream":true,"model":"up:m?fault=reset&chunks=6&chunk_delay_ms=30"}"#)
        let events = try ChatRoutesTests.events(response)
        #expect(events.contains { $0["type"] == "text" })
        #expect(events.last?["type"] == "error", "\(events)")
        #expect(!events.contains { $0["type"] == "done" })
    }

    @Test("a non-retryable upstream error is 502, before any byte of a stream too", arguments: Level.allCases)
    func upstreamErrorIs502(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        for body in [#"{"message":"x","model":"up:m?fault=400"}"#, #"{"message":"x","stream":true,"model":"up:m?fault=400"}"#] {
            let response = try agentd.post("/chat", body)
            #expect(response.status == 502)
            #expect(try JSONValue.parse(response.body)["error"]?["type"] == "upstream_error")
        }
    }

    @Test("an upstream that never answers is 504 within AGENTD_UPSTREAM_TIMEOUT_MS")
    func upstreamTimeoutIs504() async throws {
        let (mock, agentd) = try await Self.start(["AGENTD_UPSTREAM_TIMEOUT_MS": "400"])
        defer { agentd.kill(); mock.kill() }
        let started = Date()
        let response = try Self.chat(#"{"message":"x","model":"up:m?fault=hang"}"#, port: agentd.port)
        #expect(response.status == 504)
        #expect(try JSONValue.parse(response.body)["error"]?["type"] == "upstream_timeout")
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test("a client that disconnects mid-stream cancels the upstream call")
    func disconnectCancelsUpstream() async throws {
        let (mock, agentd) = try await Self.start()
        defer { agentd.kill(); mock.kill() }
        let socket = try LoopbackPort.connect(port: agentd.port, timeoutMs: 2000)
        let body = #"{"message":"\#(String(repeating: "w ", count: 50))","stream":true,"model":"up:m?chunks=50&chunk_delay_ms=100"}"#
        let request = "POST /chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        _ = request.withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Read until the first event arrived, then hang up.
        var received = ""
        for _ in 0..<50 where !received.contains("\"type\":\"text\"") {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        #expect(received.contains("\"type\":\"text\""))
        close(socket)
        #expect(try await mock.waitForStats { ($0["streams_cancelled"] as? Int) == 1 })
    }
}
