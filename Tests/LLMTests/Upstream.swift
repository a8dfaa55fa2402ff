import Dispatch
import Foundation
import HTTP
import Server
import Synchronization

/// A live upstream on 127.0.0.1:0 with routes that behave like LLM APIs do: echo, slow streams, hangs,
/// stalls and resets. Counts what it saw, so tests can assert on the upstream side.
final class Upstream: Sendable {
    let server: HTTPServer
    let counters: UpstreamCounters

    var port: Int { server.port }
    var baseURL: String { "http://127.0.0.1:\(server.port)" }

    init() throws {
        var router = Router()
        let counters = UpstreamCounters()
        router.add(.post, "/echo", answer: { request in
            counters.requests.add(1, ordering: .relaxed)
            var headers = HTTPHeaders()
            headers.add("X-Seen-Auth", request.headers["Authorization"] ?? "")
            return HTTPResponse(status: .ok, headers: headers, body: request.body)
        })
        router.add(.get, "/status/{code}", answer: { request in
            HTTPResponse(status: HTTPStatus(code: Int(request.parameters["code"]!)!), headers: ["Retry-After": "2"], body: Array("status".utf8))
        })
        // `count` chunks of "chunk-<i>\n", `delay_ms` apart.
        router.add(.get, "/stream") { request, responder in
            counters.requests.add(1, ordering: .relaxed)
            let count = Int(request.queryParameters["count"] ?? "") ?? 3
            let delayMs = Int(request.queryParameters["delay_ms"] ?? "") ?? 50
            let stream = responder.startStream(headers: ["Content-Type": "text/event-stream"])
            stream.onCancel { counters.cancelled.add(1, ordering: .relaxed) }
            @Sendable func send(_ index: Int) {
                guard index < count else {
                    stream.finish()
                    counters.streamsSent.add(1, ordering: .relaxed)
                    return
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delayMs)) {
                    stream.write(Array("chunk-\(index)\n".utf8)) { send(index + 1) }
                }
            }
            send(0)
        }
        router.add(.get, "/hang") { _, responder in
            counters.requests.add(1, ordering: .relaxed)
            responder.onCancel { counters.cancelled.add(1, ordering: .relaxed) }
        }
        router.add(.get, "/stall") { _, responder in
            let stream = responder.startStream(headers: [:])
            stream.write(Array("first\n".utf8))
            stream.onCancel { counters.cancelled.add(1, ordering: .relaxed) }
        }
        router.add(.get, "/reset") { _, responder in
            let stream = responder.startStream(headers: [:])
            stream.write(Array("partial\n".utf8)) {
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { stream.abortWithReset() }
            }
        }
        server = try HTTPServer.start(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1, maxConnections: 20_000),
            handler: router
        )
        self.counters = counters
    }

    func stop() { server.shutdown(gracePeriodMs: 0) }
}

final class UpstreamCounters: Sendable {
    let cancelled = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    /// `/stream` answers whose every chunk was handed to the server (the stream finished on this side).
    let streamsSent = Atomic<Int>(0)
}

/// Polls `condition` every 5 ms for at most `timeoutMs`.
func eventually(timeoutMs: Int = 3000, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}
