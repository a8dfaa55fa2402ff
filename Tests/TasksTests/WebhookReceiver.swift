import CAgentdSystem
import HTTP
import Locks
import Server
import Tasks

/// What the receiver does with one request.
enum ReceiverReply: Sendable {
    /// Answers with this status, these header fields and this body.
    case status(Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [])
    /// Never answers: the sender's timeout has to end the attempt.
    case hang
    /// Resets the connection: a receiver that died under the request.
    case reset
}

/// One webhook request as the receiver saw it.
struct ReceivedWebhook: Sendable {
    let headers: HTTPHeaders
    let body: [UInt8]
    /// CLOCK_MONOTONIC when the handler ran, in milliseconds.
    let receivedMs: UInt64
}

/// A webhook receiver on 127.0.0.1, port 0, built on the repo's own `Server`: it records every request and
/// answers from a script, then 200 (or `afterScript`) once the script is used up.
/// Owner: none; the script, the records and the held responders are each behind a lock.
final class WebhookReceiver: Sendable {
    static let path = "/hooks/task"
    let server: HTTPServer
    private let script: Locked<[ReceiverReply]>
    private let received = Locked<[ReceivedWebhook]>([])
    /// Responders of `.hang` requests, kept so the requests stay open until the server stops.
    private let held = Locked<[Responder]>([])

    init(script: [ReceiverReply] = [], afterScript: ReceiverReply = .status(200)) throws {
        self.script = Locked(script)
        let script = self.script, received = self.received, held = self.held
        var router = Router()
        router.add(.post, WebhookReceiver.path) { request, responder in
            received.withLock {
                $0.append(ReceivedWebhook(headers: request.headers, body: request.body, receivedMs: agentd_monotonic_ns() / 1_000_000))
            }
            let reply = script.withLock { $0.isEmpty ? afterScript : $0.removeFirst() }
            switch reply {
            case .status(let code, let headers, let body):
                responder.respond(HTTPResponse(status: HTTPStatus(code: code), headers: headers, body: body))
            case .hang: held.withLock { $0.append(responder) }
            case .reset: responder.abortWithReset()
            }
        }
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1)
        configuration.lingerMs = 100
        server = try HTTPServer.start(configuration: configuration, handler: router)
    }

    var url: String { "http://127.0.0.1:\(server.port)\(WebhookReceiver.path)" }

    var requests: [ReceivedWebhook] { received.withLock { $0 } }

    func stop() {
        _ = server.shutdown(gracePeriodMs: 0)
        held.withLock { $0.removeAll() }
    }
}

/// Collects a delivery's outcomes, so a test can wait for the first and check that no second one came.
final class OutcomeRecorder: Sendable {
    private let outcomes = Locked<[WebhookOutcome]>([])

    var completion: @Sendable (WebhookOutcome) -> Void {
        { [outcomes] outcome in outcomes.withLock { $0.append(outcome) } }
    }

    var count: Int { outcomes.withLock { $0.count } }

    /// The first outcome, polling every 5 ms for at most `timeoutMs`; nil if none came in time.
    func first(timeoutMs: Int = 10_000) async -> WebhookOutcome? {
        await eventually(timeoutMs: timeoutMs) { self.count > 0 }
        return outcomes.withLock { $0.first }
    }
}

/// Polls `condition` every 5 ms for at most `timeoutMs`; returns whether it became true.
@discardableResult
func eventually(timeoutMs: Int = 10_000, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadlineMs = agentd_monotonic_ns() / 1_000_000 + UInt64(timeoutMs)
    while agentd_monotonic_ns() / 1_000_000 < deadlineMs {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    return condition()
}
