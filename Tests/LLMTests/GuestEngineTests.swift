import Foundation
import HTTP
import LLM
import Server
import Synchronization
import Testing
import Locks

/// Engines without a thread of their own run on an event loop (what agentd does by default).
extension TransferEngine: EventLoopGuest {}

@Suite struct GuestEngineTests {
    /// A server whose single loop hosts `engine`; its only route answers 204, so the loop has work of its own.
    static func host(_ engine: TransferEngine) throws -> HTTPServer {
        var router = Router()
        router.add(.get, "/ping", answer: { _ in HTTPResponse(status: .noContent) })
        let server = try HTTPServer.start(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1), handler: router
        )
        server.eventLoops[0].host(engine)
        return server
    }

    @Test func transfersRunAndCallBackOnTheHostLoopsThread() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine(startsThread: false)
        let server = try Self.host(engine)
        defer { server.shutdown(gracePeriodMs: 0) }
        let onOwner = Locked<[Bool]>([])
        let done = Locked<Result<TransferResponse, TransferError>?>(nil)
        for _ in 0..<20 {
            _ = engine.perform(TransferRequest(url: upstream.baseURL + "/echo", body: Array("hi".utf8))) { result in
                onOwner.withLock { $0.append(engine.isOwnerThread) }
                done.withLock { $0 = result }
            }
        }
        #expect(eventually { onOwner.withLock { $0.count } == 20 })
        #expect(onOwner.withLock { $0 }.allSatisfy { $0 })
        let response = try #require(try done.withLock { $0 }?.get())
        #expect(response.head.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hi")
        // Twenty concurrent calls over plain http (HTTP/1.1): at most one connection each, none waiting for
        // another to end; then calls one after another reuse the cached connections and open none.
        let opened = engine.connectionsOpened
        #expect(opened <= 20)
        for _ in 0..<5 {
            let next = Locked<Result<TransferResponse, TransferError>?>(nil)
            _ = engine.perform(TransferRequest(url: upstream.baseURL + "/echo", body: Array("again".utf8))) { result in
                next.withLock { $0 = result }
            }
            #expect(eventually { next.withLock { $0 } != nil })
        }
        #expect(engine.connectionsOpened == opened)
    }

    @Test func aTransferStartedOnTheLoopBeginsWithoutAWake() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine(startsThread: false)
        let server = try Self.host(engine)
        defer { server.shutdown(gracePeriodMs: 0) }
        let recorder = StreamRecorder()
        // Started from the loop's own thread, as a request handler would: the command is queued for the
        // current pass instead of through the eventfd.
        server.eventLoops[0].execute {
            _ = engine.start(TransferRequest(url: upstream.baseURL + "/stream?count=3&delay_ms=10", method: "GET"),
                             callbacks: recorder.callbacks())
        }
        #expect(eventually { recorder.finished })
        #expect(recorder.text == "chunk-0\nchunk-1\nchunk-2\n")
    }

    @Test func cancellingFromAnotherThreadEndsTheTransfer() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine(startsThread: false)
        let server = try Self.host(engine)
        defer { server.shutdown(gracePeriodMs: 0) }
        let recorder = StreamRecorder()
        let handle = engine.start(TransferRequest(url: upstream.baseURL + "/hang", method: "GET"), callbacks: recorder.callbacks())
        #expect(eventually { upstream.counters.requests.load(ordering: .relaxed) == 1 })
        handle.cancel()
        #expect(eventually { recorder.finished })
        #expect(recorder.failure == .cancelled)
        #expect(eventually { upstream.counters.cancelled.load(ordering: .relaxed) == 1 })
    }

    @Test func stoppingTheLoopCancelsWhatIsInFlightAndRefusesNewWork() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine(startsThread: false)
        let server = try Self.host(engine)
        let hanging = StreamRecorder()
        _ = engine.start(TransferRequest(url: upstream.baseURL + "/hang", method: "GET"), callbacks: hanging.callbacks())
        #expect(eventually { upstream.counters.requests.load(ordering: .relaxed) == 1 })
        server.shutdown(gracePeriodMs: 0)
        #expect(hanging.failure == .cancelled)
        let late = StreamRecorder()
        _ = engine.start(TransferRequest(url: upstream.baseURL + "/echo"), callbacks: late.callbacks())
        engine.shutdown()
        #expect(eventually { late.finished })
        #expect(late.failure == .cancelled)
    }

    @Test func idleTimeoutsAreEnforcedOnTheLoop() async throws {
        let upstream = try Upstream()
        defer { upstream.stop() }
        let engine = try TransferEngine(startsThread: false)
        let server = try Self.host(engine)
        defer { server.shutdown(gracePeriodMs: 0) }
        let recorder = StreamRecorder()
        _ = engine.start(TransferRequest(url: upstream.baseURL + "/stall", method: "GET", idleTimeoutMs: 200), callbacks: recorder.callbacks())
        #expect(eventually(timeoutMs: 3000) { recorder.finished })
        #expect(recorder.failure == .timedOut(.idle))
        #expect(recorder.text == "first\n")
    }
}
