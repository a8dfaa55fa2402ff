import Dispatch
import HTTP
import Locks

/// A responder's answer taken in memory instead of written to a socket: what a handler or a router did with a
/// request, for tests that drive them in-process (`Responder(recording:)`), without a server, a port or a
/// process. It keeps the response (or a stream's head and every byte written to it), the notes, the route and
/// the headers a guard added, and can play a client that goes away (`cancel`).
///
/// Owner: `state`, behind its lock; `queue` runs what the responder's `execute` is given, and stream-ready
/// callbacks, in order.
public final class ExchangeRecorder: Sendable {
    /// What came back.
    public struct Answer: Sendable {
        public var status: HTTPStatus
        /// The handler's headers, with those a guard added (`addHeaders`) where the handler set none.
        public var headers: HTTPHeaders
        /// The whole body; for a stream, every write in order.
        public var body: [UInt8]
        /// Whether it was streamed (`startStream`) rather than answered whole.
        public var streamed: Bool
        /// Whether the stream was dropped (`abortWithReset`) rather than finished.
        public var reset: Bool
        public var note: ExchangeNote?
        public var route: String?
    }

    private struct State {
        var head: (status: HTTPStatus, headers: HTTPHeaders)?
        var body: [UInt8] = []
        var streamed = false
        var reset = false
        var done = false
        var extraHeaders = HTTPHeaders()
        var note: ExchangeNote?
        var route: String?
        var cancelled = false
        var cancelHandlers: [@Sendable () -> Void] = []
    }

    let queue = DispatchQueue(label: "agentd.exchange-recorder")
    private let state = Locked(State())
    private let ended = DispatchSemaphore(value: 0)

    public init() {}

    /// Waits at most `timeoutMs` for the answer to end (a whole response, or a stream finished or reset).
    public func wait(timeoutMs: Int) -> Answer? {
        guard ended.wait(timeout: .now() + .milliseconds(timeoutMs)) == .success else { return nil }
        ended.signal()
        return answer
    }

    /// The answer so far: a stream's head and the bytes written until now; nil before any head.
    public var answer: Answer? {
        state.withLock { state in
            state.head.map { head in
                Answer(
                    status: head.status, headers: Connection.merge(state.extraHeaders, into: head.headers), body: state.body,
                    streamed: state.streamed, reset: state.reset, note: state.note, route: state.route
                )
            }
        }
    }

    /// Plays a client that goes away: every cancel handler runs (now, and at once for any added later), and
    /// what the handler sends after it is dropped.
    public func cancel() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            state.cancelled = true
            defer { state.cancelHandlers = [] }
            return state.done ? [] : state.cancelHandlers
        }
        for handler in handlers { handler() }
    }

    // MARK: From the responder

    func complete(_ response: HTTPResponse) {
        let first = state.withLock { state -> Bool in
            guard !state.done, !state.cancelled, state.head == nil else { return false }
            state.head = (response.status, response.headers)
            state.body = response.body
            state.done = true
            // Ended: a client leaving now cancels nothing, and the handlers (which hold the responder, and so
            // this recorder) go, as a connection drops them when its exchange ends.
            state.cancelHandlers = []
            return true
        }
        if first { ended.signal() }
    }

    func startStream(status: HTTPStatus, headers: HTTPHeaders) {
        state.withLock { state in
            guard !state.done, !state.cancelled, state.head == nil else { return }
            state.head = (status, headers)
            state.streamed = true
        }
    }

    func write(_ bytes: [UInt8], ready: (@Sendable () -> Void)?) {
        state.withLock { state in
            guard state.streamed, !state.done, !state.cancelled else { return }
            state.body += bytes
        }
        if let ready { queue.async(execute: ready) }
    }

    func finishStream() { end(reset: false) }

    func reset() { end(reset: true) }

    private func end(reset: Bool) {
        let first = state.withLock { state -> Bool in
            guard !state.done else { return false }
            if state.head == nil { state.head = (.ok, HTTPHeaders()) }
            state.done = true
            state.reset = reset
            state.cancelHandlers = []
            return true
        }
        if first { ended.signal() }
    }

    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            guard !state.cancelled else { return true }
            if !state.done { state.cancelHandlers.append(handler) }
            return false
        }
        if now { queue.async(execute: handler) }
    }

    func annotate(_ note: ExchangeNote) {
        state.withLock { state in state.note = state.note.map { $0.merged(with: note) } ?? note }
    }

    func addHeaders(_ headers: HTTPHeaders) {
        state.withLock { state in for field in headers { state.extraHeaders.add(field.name, field.value) } }
    }

    func noteRoute(_ template: String) {
        state.withLock { $0.route = template }
    }
}
