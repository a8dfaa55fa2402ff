import Foundation
import Testing

/// Streamed responses: flushing, framing per version, backpressure, cancellation.
@Suite struct ServerStreamingTests {
    @Test func serverSentEventsArriveChunked() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("Transfer-Encoding") == "chunked")
        #expect(response.header("Content-Type") == "text/event-stream")
        #expect(response.text == "data: event 1\n\ndata: event 2\n\ndata: event 3\n\n")
        // The connection stays usable after the stream ends.
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }

    @Test func streamToHTTP10IsDelimitedByClose() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /events HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("Transfer-Encoding") == nil)
        #expect(response.header("Connection") == "close")
        #expect(response.text.hasPrefix("data: event 1\n\n"))
    }

    /// A client that stops reading pauses the producer: the server buffers at most its high-water mark
    /// (plus what the kernel's socket buffers hold), never the whole stream.
    @Test func slowReaderPausesTheProducer() throws {
        let server = try TestServer { $0.streamHighWaterBytes = 64 * 1024 }
        defer { server.stop() }
        let client = try RawClient(port: server.port, receiveTimeoutMs: 10_000)
        var small: Int32 = 64 * 1024
        setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        let chunk = 16 * 1024, count = 1024  // 16 MiB in all
        client.send("GET /stream?count=\(count)&size=\(chunk) HTTP/1.1\r\nHost: x\r\n\r\n")
        // Not reading: production must stall far below the total. Stalled: a write waits for the stream while the
        // count stays put over 20 looks 10 ms apart (a producer that is not held back writes 16 KiB a look or more).
        var stalledAt = -1, steadyLooks = 0
        let stalled = eventually(timeoutMs: 5000) {
            let produced = server.probe.producedBytes.load(ordering: .relaxed)
            let waiting = server.probe.writePending.load(ordering: .relaxed)
            steadyLooks = waiting && produced == stalledAt ? steadyLooks + 1 : 0
            stalledAt = produced
            return steadyLooks >= 20
        }
        #expect(stalled, "the producer kept going: \(stalledAt) bytes")
        #expect(stalledAt > 0 && stalledAt < 8 * 1024 * 1024, "produced \(stalledAt) bytes for a client that reads nothing")
        // Reading again resumes it, and every byte arrives.
        let response = try client.readResponse()
        #expect(response.body.count == chunk * count)
        let finished = server.probe.streamFinished.load(ordering: .relaxed)
        #expect(finished)
    }

    @Test func clientDisconnectCancelsTheExchange() throws {
        let server = try TestServer()
        defer { server.stop() }
        do {
            let client = try RawClient(port: server.port)
            client.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(eventually { server.server.inFlightRequests == 1 })
        }
        // The client is gone (closed by deinit): the handler hears of it well before its answer is due.
        #expect(eventually(timeoutMs: 1000) { server.probe.cancellations.load(ordering: .relaxed) == 1 })
        #expect(eventually { server.server.inFlightRequests == 0 })
    }

    @Test func clientDisconnectStopsAStream() throws {
        let server = try TestServer()
        defer { server.stop() }
        do {
            let client = try RawClient(port: server.port)
            client.send("GET /stream?count=100000&size=1024 HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client.readHead()
        }
        #expect(eventually(timeoutMs: 1000) { server.probe.cancellations.load(ordering: .relaxed) == 1 })
        let finished = server.probe.streamFinished.load(ordering: .relaxed)
        #expect(!finished)
    }
}
