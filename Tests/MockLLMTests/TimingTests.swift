import MockLLMSupport
import Foundation
import Testing

/// Latency before the first byte, delays between chunks, clients that leave mid-stream, and many streams at once.
/// Bounds are generous below and loose above: a busy machine may be late, mock-llm must never be early.
@Suite struct TimingTests {
    static func elapsedMs(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    @Test func latencyDelaysTheFirstByteOfAnAnswer() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        for stream in [false, true] {
            let client = try MockHTTPClient(port: mock.port)
            let start = ContinuousClock.now
            client.send("POST", "/v1/chat/completions", headers: [("X-Mock-Latency-Ms", "300")],
                        body: Body.openAI(extra: ["stream": stream]))
            #expect(client.hasData(withinMs: 5000))
            let firstByteMs = Self.elapsedMs(since: start)
            #expect(firstByteMs >= 280, "stream \(stream): first byte after \(firstByteMs) ms")
            #expect(firstByteMs < 3000)
            #expect(try client.readResponse().status == 200)
        }
        // Faults wait too.
        let start = ContinuousClock.now
        let fault = try mock.request("POST", "/v1/chat/completions", body: Body.openAI(model: "gpt-4o-mini?latency_ms=200&fault=500"))
        #expect(fault.status == 500)
        #expect(Self.elapsedMs(since: start) >= 180)
    }

    @Test func chunkDelaySpacesTheContentDeltas() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let client = try MockHTTPClient(port: mock.port)
        client.send("POST", "/v1/messages", headers: Body.anthropicHeaders,
                    body: Body.anthropic(model: "claude?chunks=3&chunk_delay_ms=150", text: "a b c d e", extra: ["stream": true]))
        #expect(try client.readHead().status == 200)
        var arrivals: [Double] = []
        var text = ""
        let start = ContinuousClock.now
        while let chunk = try client.nextChunk() {
            let piece = String(decoding: chunk, as: UTF8.self)
            if piece.contains("content_block_delta") { arrivals.append(Self.elapsedMs(since: start)) }
            text += piece
        }
        #expect(arrivals.count == 3)
        for (earlier, later) in zip(arrivals, arrivals.dropFirst()) {
            #expect(later - earlier >= 130, "deltas \(later - earlier) ms apart")
        }
        #expect(SSEEvent.parse(text).last?.event == "message_stop")
    }

    @Test func aClientLeavingMidStreamCountsAsCancelled() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        var client: MockHTTPClient? = try MockHTTPClient(port: mock.port)
        client?.send("POST", "/v1/chat/completions",
                     body: Body.openAI(model: "gpt-4o-mini?chunks=10&chunk_delay_ms=200", extra: ["stream": true]))
        #expect(try client?.readHead().status == 200)
        #expect(try client?.nextChunk() != nil)
        #expect(try mock.stats()["streams_active"] as? Int == 1)
        client = nil
        #expect(try await mock.waitForStats {
            $0["streams_cancelled"] as? Int == 1 && $0["streams_active"] as? Int == 0 && $0["streams_completed"] as? Int == 0
        })
    }

    @Test func manyConcurrentStreamsAllComplete() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let count = 300
        let model = "gpt-4o-mini?chunks=5&chunk_delay_ms=100"
        // Every request is sent before any is read: the streams run at the same time, each paced by the timers.
        let clients = try (0..<count).map { _ in try MockHTTPClient(port: mock.port, receiveTimeoutMs: 10_000) }
        let start = ContinuousClock.now
        for client in clients { client.send("POST", "/v1/chat/completions", body: Body.openAI(model: model, text: "a b c d e f g h i", extra: ["stream": true])) }
        #expect(try await mock.waitForStats { ($0["streams_active"] as? Int ?? 0) + ($0["streams_completed"] as? Int ?? 0) == count })
        var completed = 0
        for client in clients {
            let response = try client.readResponse()
            if response.status == 200 && SSEEvent.parse(response.text).last?.data == "[DONE]" { completed += 1 }
        }
        #expect(completed == count)
        // Four 100 ms pauses each, side by side rather than one after another.
        let elapsed = Self.elapsedMs(since: start)
        #expect(elapsed >= 380 && elapsed < 10_000, "\(elapsed) ms")
        let stats = try mock.stats()
        #expect(stats["streams_completed"] as? Int == count)
        #expect(stats["streams_active"] as? Int == 0)
        #expect(stats["streams_cancelled"] as? Int == 0)
    }
}
