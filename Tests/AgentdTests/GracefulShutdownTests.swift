import Foundation
import JSON
import MockLLMSupport
import Testing

/// Signals (docs/operations.md, "4. Graceful shutdown"): SIGTERM/SIGINT fail readiness at once, keep serving for
/// `AGENTD_DRAIN_DELAY_S`, then close the listener and exit 0; a second signal exits at once.
@Suite("agentd shuts down gracefully")
struct GracefulShutdownTests {
    @Test("after the signal: ready 503, live 200 during the drain delay, then exit 0", arguments: [SIGTERM, SIGINT])
    func drainThenExit(_ signal: Int32) async throws {
        // 3 s, not 1: the probes below must land inside the delay even on a loaded CI machine.
        let server = try await AgentdProcess.serve(["AGENTD_DRAIN_DELAY_S": "3"])
        defer { server.kill() }
        #expect(try HTTPTestClient.send("GET", "/health/ready", port: server.port).status == 200)

        let signalled = ContinuousClock.now
        server.signal(signal)
        // The signal is handled on agentd's own queue, a moment after kill(2) returns: poll briefly.
        let notReady = try await firstResponse(from: server, path: "/health/ready") { $0.status == 503 }
        let live = try HTTPTestClient.send("GET", "/health/live", port: server.port)
        let answeredWithin = ContinuousClock.now - signalled

        let response = try #require(notReady, "readiness did not fail after the signal")
        let body = try #require(response.jsonObject, "JSON object: \(response.bodyText)")
        #expect(body["ready"] as? Bool == false)
        #expect(body["reason"] as? String == "draining")
        #expect(response.header("X-Request-ID") != nil)
        #expect(live.status == 200, "live must stay up during the drain delay")
        #expect(live.bodyText == #"{"alive":true}"#)
        #expect(answeredWithin < .seconds(3), "the probes above ran inside the drain delay")

        let exit = await server.waitForExit(timeout: .seconds(10))
        let elapsed = ContinuousClock.now - signalled
        #expect(exit == .exited(0))
        #expect(elapsed >= .milliseconds(2900), "exited after \(elapsed), before the 3 s drain delay")
        await server.standardOutput.waitForEnd(timeout: .seconds(5))
        #expect(server.standardOutput.text.contains("\"shutting down\""), "stdout: \(server.standardOutput.text)")
        #expect(server.standardOutput.text.contains("\"stopped\""), "stdout: \(server.standardOutput.text)")
    }

    @Test("without a drain delay, SIGTERM exits 0 promptly")
    func noDrainDelay() async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }

        let signalled = ContinuousClock.now
        server.signal(SIGTERM)
        let exit = await server.waitForExit(timeout: .seconds(15))

        #expect(exit == .exited(0))
        // Promptly: well inside the 25 s default grace, with room for a sanitizer build.
        #expect(ContinuousClock.now - signalled < .seconds(10))
    }

    @Test("a second SIGTERM during the drain exits at once")
    func secondSignalExitsAtOnce() async throws {
        // A drain far longer than the test may wait: only the second signal can end the process in time.
        let server = try await AgentdProcess.serve(["AGENTD_DRAIN_DELAY_S": "60"])
        defer { server.kill() }

        server.signal(SIGTERM)
        // Two signals sent back to back can merge into one pending signal, so the second waits until the
        // first is seen to be handled (readiness fails), a few milliseconds.
        let draining = try await firstResponse(from: server, path: "/health/ready") { $0.status == 503 }
        try #require(draining != nil, "the first SIGTERM was not handled")
        #expect(server.exit == nil, "the first signal alone must not end the process")
        let second = ContinuousClock.now
        server.signal(SIGTERM)
        let exit = await server.waitForExit(timeout: .seconds(15))

        let ended = try #require(exit, "still running 15 s after the second SIGTERM")
        #expect(ended != .exited(0), "a cut-short shutdown must not look clean: \(ended)")
        // "At once" against a 60 s drain; the bound leaves room for a sanitizer build.
        #expect(ContinuousClock.now - second < .seconds(10))
        await server.standardOutput.waitForEnd(timeout: .seconds(5))
        #expect(server.standardOutput.text.contains("second signal"), "stdout: \(server.standardOutput.text)")
    }

    @Test("SIGTERM with 40 streaming chats in flight: readiness 503 at once, a request in the drain delay is served, all 40 streams complete, exit 0")
    func streamsFinishThroughShutdown() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let server = try await AgentdProcess.serve([
            "AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1", "AGENTD_DRAIN_DELAY_S": "2",
            "AGENTD_RATE_LIMIT_RPS": "0",
        ])
        defer { server.kill() }
        let streams = 40, port = server.port
        let group = DispatchGroup()
        let bodies = StreamBodies()
        for index in 0..<streams {
            group.enter()
            Thread {
                defer { group.leave() }
                let body = #"{"message":"\#(String(repeating: "word ", count: 30))","stream":true,"model":"up:m?chunks=30&chunk_delay_ms=200"}"#
                let response = try? HTTPTestClient.send(
                    "POST", "/chat", port: port, headers: [("Content-Type", "application/json")], body: Array(body.utf8),
                    timeoutMs: 30_000
                )
                bodies.set(index, response)
            }.start()
        }
        // All 40 are streaming from the upstream before the signal.
        // All at once, not in waves: regression for CURLOPT_PIPEWAIT on plain http, which held some calls
        // back until the first streams ended.
        let allStreaming = try await mock.waitForStats(timeout: .seconds(15)) { ($0["streams_active"] as? Int) == streams }
        let upstream = try mock.stats()
        #expect(allStreaming, "upstream: \(upstream)")
        server.signal(SIGTERM)
        let notReady = try await firstResponse(from: server, path: "/health/ready") { $0.status == 503 }
        #expect(notReady != nil, "readiness did not fail after the signal")
        let during = try HTTPTestClient.send(
            "POST", "/chat", port: server.port, headers: [("Content-Type", "application/json")], body: Array(#"{"message":"still serving?"}"#.utf8)
        )
        #expect(during.status == 200, "a request inside the drain delay is served")
        #expect(server.exit == nil)
        #expect(group.wait(timeout: .now() + 30) == .success, "streams still open 30 s later")
        var complete = 0
        for index in 0..<streams {
            guard let response = bodies.get(index), response.status == 200 else { continue }
            let events = try ChatRoutesTests.events(response)
            if events.last?["type"] == "done" && events.count > 1 { complete += 1 }
        }
        #expect(complete == streams, "\(complete) of \(streams) streams ended with their done event")
        #expect(await server.waitForExit(timeout: .seconds(30)) == .exited(0))
    }

    /// The streams' responses, each set by its own thread. Owner: the lock.
    final class StreamBodies: @unchecked Sendable {
        private let lock = NSLock()
        private var responses: [Int: HTTPTestResponse] = [:]

        func set(_ index: Int, _ response: HTTPTestResponse?) { lock.withLock { responses[index] = response } }
        func get(_ index: Int) -> HTTPTestResponse? { lock.withLock { responses[index] } }
    }

    /// Polls `path` until a response satisfies `condition` (at most 100 tries, 10 ms apart); nil if none did,
    /// or the server stopped answering.
    private func firstResponse(
        from server: AgentdProcess, path: String, where condition: (HTTPTestResponse) -> Bool
    ) async throws -> HTTPTestResponse? {
        // Up to ~10 s: under ThreadSanitizer agentd runs several times slower than usual.
        for _ in 0..<500 {
            guard let response = try? HTTPTestClient.send("GET", path, port: server.port) else { return nil }
            if condition(response) { return response }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
