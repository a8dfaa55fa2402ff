import Dispatch
import Foundation
import HTTP
import Logging
import Server
import Synchronization
import Locks

/// Counters a test reads while its server works.
final class TestProbe: Sendable {
    let producedBytes = Atomic<Int>(0)
    /// The producer has handed a chunk to the stream and waits for it to say it is ready for more.
    let writePending = Atomic<Bool>(false)
    let cancellations = Atomic<Int>(0)
    let streamFinished = Atomic<Bool>(false)
    /// The stream of the last `/hold` request, left open for the test to drive.
    let heldStream = Locked<ResponseStream?>(nil)
}

/// A live server on 127.0.0.1, port 0, with routes made for the tests.
struct TestServer {
    let server: HTTPServer
    let probe: TestProbe
    var port: Int { server.port }

    init(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 2)
        configuration.lingerMs = 500
        configure(&configuration)
        let probe = TestProbe()
        self.probe = probe
        server = try HTTPServer.start(configuration: configuration, handler: TestServer.router(probe))
    }

    func stop() { server.shutdown(gracePeriodMs: 0) }

    static func router(_ probe: TestProbe) -> Router {
        var router = Router()
        router.add(.get, "/hello", answer: { _ in .json(.ok, "{\"hello\":true}") })
        router.add(.post, "/echo", answer: { request in HTTPResponse(status: .ok, body: request.body) })
        router.add(.get, "/items/{id}", answer: { request in .json(.ok, "{\"id\":\"\(request.parameters["id"]!)\"}") })
        router.add(.get, "/route", answer: { request in HTTPResponse(status: .ok, body: Array((request.route ?? "").utf8)) })
        // Answers later, from another thread, as an upstream call would.
        router.add(.get, "/slow") { request, responder in
            let delayMs = Int(request.queryParameters["ms"] ?? "") ?? 200
            responder.onCancel { probe.cancellations.add(1, ordering: .relaxed) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delayMs)) {
                responder.respond(.json(.ok, "{\"slow\":true}"))
            }
        }
        // Streams `count` chunks of `size` bytes, each written only once the previous one was accepted
        // (the `ready` callback), from a queue of its own as an upstream transfer would.
        router.add(.get, "/stream") { request, responder in
            let count = Int(request.queryParameters["count"] ?? "") ?? 3
            let size = Int(request.queryParameters["size"] ?? "") ?? 5
            let stream = responder.startStream(headers: ["Content-Type": "text/event-stream"])
            let producer = StreamProducer(stream: stream, probe: probe, chunk: [UInt8](repeating: 120, count: size))
            stream.onCancel {
                producer.cancelled.store(true, ordering: .relaxed)
                probe.cancellations.add(1, ordering: .relaxed)
            }
            producer.produce(remaining: count)
        }
        router.add(.get, "/hold") { _, responder in
            let stream = responder.startStream(headers: ["Content-Type": "text/plain"])
            probe.heldStream.withLock { $0 = stream }
        }
        router.add(.get, "/events", { _, responder in
            let stream = responder.startStream(headers: ["Content-Type": "text/event-stream"])
            for index in 1...3 { stream.write(ServerSentEvent(data: "event \(index)").encoded()) }
            stream.finish()
        })
        return router
    }
}

/// Polls `condition` every 10 ms for at most `timeoutMs`.
func eventually(timeoutMs: Int = 3000, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Writes chunks one after another, each after the stream said it was ready for more.
final class StreamProducer: Sendable {
    let stream: ResponseStream
    let probe: TestProbe
    let chunk: [UInt8]
    let cancelled = Atomic<Bool>(false)
    private let queue = DispatchQueue(label: "test.producer")

    init(stream: ResponseStream, probe: TestProbe, chunk: [UInt8]) {
        self.stream = stream
        self.probe = probe
        self.chunk = chunk
    }

    func produce(remaining: Int) {
        queue.async { [self] in
            if cancelled.load(ordering: .relaxed) { return }
            if remaining == 0 {
                stream.finish()
                probe.streamFinished.store(true, ordering: .relaxed)
                return
            }
            probe.writePending.store(true, ordering: .relaxed)
            stream.write(chunk) { [self] in
                probe.writePending.store(false, ordering: .relaxed)
                probe.producedBytes.add(chunk.count, ordering: .relaxed)
                produce(remaining: remaining - 1)
            }
        }
    }
}
