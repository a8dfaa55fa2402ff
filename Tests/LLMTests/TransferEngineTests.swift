import Foundation
import LLM
import Synchronization
import Testing
import Locks

/// Collects what a streamed transfer delivered, with the time of each piece.
final class StreamRecorder: Sendable {
    struct State {
        var head: TransferHead?
        var pieces: [(at: Date, bytes: [UInt8])] = []
        var result: Result<Void, TransferError>?
        /// When the engine reported completion (on its thread: not delayed by the test's own scheduling).
        var finishedAt: Date?
    }

    let state = Locked(State())

    func callbacks(flow: @escaping @Sendable (Int) -> TransferFlow = { _ in .proceed }) -> TransferCallbacks {
        TransferCallbacks(
            onHead: { head in self.state.withLock { $0.head = head } },
            onData: { bytes in
                let count = self.state.withLock { state -> Int in
                    state.pieces.append((Date(), Array(bytes)))
                    return state.pieces.count
                }
                return flow(count)
            },
            onComplete: { result in
                self.state.withLock {
                    $0.result = result
                    $0.finishedAt = Date()
                }
            }
        )
    }

    var text: String { state.withLock { String(decoding: $0.pieces.flatMap(\.bytes), as: UTF8.self) } }
    var result: Result<Void, TransferError>? { state.withLock { $0.result } }
    var finished: Bool { result != nil }

    /// The failure, or nil while running or on success.
    var failure: TransferError? {
        if case .failure(let error) = result { return error }
        return nil
    }
}

@Suite struct TransferEngineTests {
    @Test func postsABodyWithHeadersAndReadsTheWholeResponse() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let request = TransferRequest(
            url: upstream.baseURL + "/echo", headers: [("Authorization", "Bearer k"), ("Content-Type", "application/json")],
            body: Array("{\"hello\":1}".utf8)
        )
        let response = try await engine.perform(request)
        #expect(response.head.status == 200)
        #expect(response.head.header("X-Seen-Auth") == "Bearer k")
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"hello\":1}")
    }

    @Test func errorStatusIsAResponseNotAFailure() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let response = try await engine.perform(TransferRequest(url: upstream.baseURL + "/status/503", method: "GET"))
        #expect(response.head.status == 503)
        #expect(response.head.header("retry-after") == "2")
    }

    @Test func streamedBytesArriveAsTheyAreSent() throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorder = StreamRecorder()
        _ = engine.start(TransferRequest(url: upstream.baseURL + "/stream?count=4&delay_ms=150", method: "GET"), callbacks: recorder.callbacks())
        #expect(eventually { recorder.finished })
        #expect(recorder.text == "chunk-0\nchunk-1\nchunk-2\nchunk-3\n")
        let times = recorder.state.withLock { $0.pieces.map(\.at) }
        // Delivered incrementally: the first piece came well before the last.
        #expect(times.count >= 4)
        #expect(times.last!.timeIntervalSince(times.first!) > 0.3)
    }

    /// docs/api.md, Timeouts: a client that disconnects cancels its upstream call at once; here, within 100 ms.
    @Test func cancelClosesTheUpstreamConnectionPromptly() throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorder = StreamRecorder()
        let handle = engine.start(TransferRequest(url: upstream.baseURL + "/stream?count=100&delay_ms=50", method: "GET"), callbacks: recorder.callbacks())
        #expect(eventually { !recorder.text.isEmpty })
        let cancelledAt = Date()
        handle.cancel()
        #expect(eventually(timeoutMs: 1000) { upstream.counters.cancelled.load(ordering: .relaxed) == 1 })
        #expect(Date().timeIntervalSince(cancelledAt) < 0.1)
        #expect(recorder.failure == .cancelled)
        #expect(eventually { engine.activeTransfers == 0 })
    }

    @Test func cancelBeforeTheEngineStartedItStillCancels() throws {
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorder = StreamRecorder()
        let handle = engine.start(TransferRequest(url: "http://127.0.0.1:9/never", method: "GET"), callbacks: recorder.callbacks())
        handle.cancel()
        #expect(eventually { recorder.finished })
    }

    @Test func refusedConnectionIsAConnectFailure() async throws {
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        // Port 9 (discard) has no listener here: the connection is refused at once.
        await #expect(throws: TransferError.self) {
            _ = try await engine.perform(TransferRequest(url: "http://127.0.0.1:9/", method: "GET"))
        }
        do {
            _ = try await engine.perform(TransferRequest(url: "http://127.0.0.1:9/", method: "GET"))
        } catch {
            guard case .connectFailed = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func silentUpstreamHitsTheTotalTimeout() throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorder = StreamRecorder()
        let started = Date()
        _ = engine.start(TransferRequest(url: upstream.baseURL + "/hang", method: "GET", totalTimeoutMs: 300), callbacks: recorder.callbacks())
        #expect(eventually { recorder.finished })
        #expect(recorder.failure == .timedOut(.total))
        let finishedAt = try #require(recorder.state.withLock { $0.finishedAt })
        #expect(finishedAt.timeIntervalSince(started) < 2)
        #expect(eventually { upstream.counters.cancelled.load(ordering: .relaxed) == 1 })
    }

    @Test func stalledStreamHitsTheIdleTimeout() throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorder = StreamRecorder()
        _ = engine.start(TransferRequest(url: upstream.baseURL + "/stall", method: "GET", idleTimeoutMs: 300), callbacks: recorder.callbacks())
        #expect(eventually { recorder.finished })
        #expect(recorder.failure == .timedOut(.idle))
        #expect(recorder.text == "first\n")
    }

    @Test func resetMidStreamIsANetworkError() throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorder = StreamRecorder()
        _ = engine.start(TransferRequest(url: upstream.baseURL + "/reset", method: "GET"), callbacks: recorder.callbacks())
        #expect(eventually { recorder.finished })
        guard case .failure(.network) = recorder.result else {
            Issue.record("expected a network error, got \(String(describing: recorder.result))")
            return
        }
        #expect(recorder.text == "partial\n")
    }

    @Test func pausedTransferResumesAndDeliversEverything() throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorder = StreamRecorder()
        let handle = engine.start(
            TransferRequest(url: upstream.baseURL + "/stream?count=5&delay_ms=20", method: "GET"),
            callbacks: recorder.callbacks(flow: { count in count == 1 ? .pause : .proceed })
        )
        #expect(eventually { !recorder.text.isEmpty })
        // The upstream sends on to its end (the kernel's buffers hold the rest); paused, nothing more is delivered.
        #expect(eventually { upstream.counters.streamsSent.load(ordering: .relaxed) == 1 })
        #expect(recorder.text == "chunk-0\n")
        handle.resume()
        #expect(eventually { recorder.finished })
        #expect(recorder.text == "chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n")
    }

    @Test func sequentialCallsReuseOneConnection() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        for _ in 0..<5 {
            _ = try await engine.perform(TransferRequest(url: upstream.baseURL + "/echo", body: Array("x".utf8)))
        }
        #expect(upstream.server.openConnections == 1)
    }

    /// A burst with no idle connection opens one per call without curl searching its cache (FRESH_CONNECT);
    /// once they are idle, later calls reuse them instead of opening more.
    @Test func aBurstOpensConnectionsThatLaterCallsReuse() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorders = (0..<20).map { _ in StreamRecorder() }
        for recorder in recorders {
            _ = engine.start(TransferRequest(url: upstream.baseURL + "/stream?count=2&delay_ms=100", method: "GET"), callbacks: recorder.callbacks())
        }
        #expect(eventually(timeoutMs: 10_000) { recorders.allSatisfy(\.finished) })
        #expect(recorders.allSatisfy { $0.text.hasSuffix("chunk-1\n") })
        #expect(engine.connectionsOpened == 20)
        for _ in 0..<30 {
            _ = try await engine.perform(TransferRequest(url: upstream.baseURL + "/echo", body: Array("x".utf8)))
        }
        #expect(engine.connectionsOpened == 20)
        #expect(upstream.server.openConnections == 20)
    }

    /// Many calls at once on the engine's one thread: all complete, concurrently rather than in turn.
    @Test func hundredsOfConcurrentStreamsCompleteTogether() throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorders = (0..<500).map { _ in StreamRecorder() }
        let started = Date()
        for recorder in recorders {
            _ = engine.start(TransferRequest(url: upstream.baseURL + "/stream?count=5&delay_ms=100", method: "GET"), callbacks: recorder.callbacks())
        }
        #expect(eventually(timeoutMs: 10_000) { recorders.allSatisfy(\.finished) })
        // 500 streams of ~0.5 s each: together they take about as long as one, not 250 s.
        #expect(Date().timeIntervalSince(started) < 5)
        let failed = recorders.filter { !$0.text.hasSuffix("chunk-4\n") }
        #expect(failed.isEmpty, "\(failed.count) incomplete, e.g. \(failed.first.map { "\(String(describing: $0.result))" } ?? "")")
    }

    /// Easy handles go back to the engine after failed transfers too: rounds of refused connections (POSTs and
    /// GETs to two URLs), of streams cancelled part way, then real calls: each call must get the failure or
    /// the answer of its own request.
    @Test func handlesReusedAfterFailuresServeLaterCalls() throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        for round in 0..<3 {
            let refused = (0..<64).map { _ in StreamRecorder() }
            for (index, recorder) in refused.enumerated() {
                let request = index % 2 == 0
                    ? TransferRequest(url: "http://127.0.0.1:9/v1", body: Array("{}".utf8))
                    : TransferRequest(url: "http://127.0.0.1:9/other", method: "GET")
                _ = engine.start(request, callbacks: recorder.callbacks())
            }
            #expect(eventually(timeoutMs: 5_000) { refused.allSatisfy(\.finished) })
            for recorder in refused {
                guard case .connectFailed? = recorder.failure else {
                    Issue.record("round \(round): \(String(describing: recorder.result))")
                    break
                }
            }
            let cancelled = (0..<32).map { _ in StreamRecorder() }
            let handles = cancelled.map { recorder in
                engine.start(TransferRequest(url: upstream.baseURL + "/stream?count=50&delay_ms=20", method: "GET"), callbacks: recorder.callbacks())
            }
            #expect(eventually(timeoutMs: 5_000) { cancelled.allSatisfy { !$0.text.isEmpty } })
            for handle in handles { handle.cancel() }
            #expect(eventually(timeoutMs: 5_000) { cancelled.allSatisfy(\.finished) })
            let answered = (0..<64).map { _ in StreamRecorder() }
            for recorder in answered {
                _ = engine.start(TransferRequest(url: upstream.baseURL + "/echo", body: Array("ok".utf8)), callbacks: recorder.callbacks())
            }
            #expect(eventually(timeoutMs: 5_000) { answered.allSatisfy(\.finished) })
            let wrong = answered.filter { $0.text != "ok" }
            #expect(wrong.isEmpty, "round \(round): \(wrong.count) failed, e.g. \(String(describing: wrong.first?.result))")
        }
    }
}
