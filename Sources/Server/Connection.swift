import CAgentdSystem
import Glibc
import HTTP

/// One client connection: reads requests, hands each to the handler, writes responses in request order.
///
/// Owner: its event loop. Every method runs on that loop's thread; other threads reach a connection only
/// through `Responder` and `ResponseStream`, which hop onto the loop. One request is answered at a time:
/// pipelined requests wait in the inbound buffer (bounded; reading pauses when it fills) until the
/// response before them is complete, which is what keeps responses in order (RFC 9112 §9.3.2).
final class Connection: EventSource {
    enum State {
        case awaitingHead
        case readingBody
        /// The handler owns the exchange; the response has not started.
        case responding
        /// A streamed response has started; chunks flow until the producer finishes it.
        case streaming
        /// The last response is being written; then the connection closes.
        case finishing
        /// Write side shut after a final response; input is discarded until EOF or the linger deadline.
        case lingering
        case closed
    }

    enum DeadlineKind {
        case none, header, body, idle, linger
    }

    /// What the connection remembers of the request being answered.
    struct Exchange {
        let serial: UInt64
        let requestID: String
        let method: HTTPMethod
        let version: HTTPVersion
        var keepAlive: Bool
        var streamFraming: HTTPResponseFraming = .contentLength(0)
        var cancelHandlers: [@Sendable () -> Void] = []
        /// For the exchange observer: when the request was read, its route, its status, the handler's note.
        var startedNs: UInt64 = 0
        var route: String?
        var status = 0
        var note: ExchangeNote?
        /// Fields every response to this request carries (rate-limit headers), unless the response sets them.
        var extraHeaders: HTTPHeaders?
    }

    let fd: Int32
    /// Strong: a responder may outlive the server and still hop here (its work is then dropped).
    let loop: EventLoop
    let context: ServerContext
    let remoteAddress: String

    var state: State = .awaitingHead
    /// Starts small (most requests are a few hundred bytes) and grows for larger ones.
    let inbound = InboundBuffer(initialCapacity: 2048)
    var outbound: [UInt8] = []
    var outboundSent = 0
    /// When pending output first stopped draining (EAGAIN); 0 while it drains.
    var writeBlockedSinceNs: UInt64 = 0
    var headParser: HTTPRequestHeadParser
    var pendingHead: HTTPRequestHead?
    var bodyDecoder: HTTPBodyDecoder?
    var body: [UInt8] = []
    var exchange: Exchange?
    var serial: UInt64 = 0
    var deadlineNs: UInt64 = 0
    var deadlineKind: DeadlineKind = .none
    var interest: UInt32 = 0
    var isProcessing = false
    /// Set while draining: the next response says `Connection: close` and the connection ends after it.
    var closeAfterResponse = false
    /// A stream producer waiting for the output to drain below the high-water mark.
    var streamReady: (@Sendable () -> Void)?

    init(fd: Int32, loop: EventLoop, context: ServerContext, remoteAddress: String) {
        self.fd = fd
        self.loop = loop
        self.context = context
        self.remoteAddress = remoteAddress
        headParser = HTTPRequestHeadParser(limits: context.configuration.limits)
    }

    /// Registers with the loop; the header deadline of the first request runs from here.
    func open() {
        _ = agentd_set_nodelay(fd)
        interest = agentd_EPOLLIN | agentd_EPOLLRDHUP
        do {
            try loop.register(self, fd: fd, events: interest)
        } catch {
            context.log(.error, "cannot register connection", ["error": "\(error)"])
            Glibc.close(fd)
            context.releaseConnection()
            return
        }
        setDeadline(.header, context.headerTimeoutNs)
    }

    // MARK: Events

    func handle(events: UInt32) {
        if events & agentd_EPOLLERR != 0 {
            abort()
            return
        }
        if events & agentd_EPOLLOUT != 0 {
            flush()
        }
        if events & (agentd_EPOLLIN | agentd_EPOLLRDHUP | agentd_EPOLLHUP) != 0 && state != .closed {
            readAvailable(peerHungUp: events & (agentd_EPOLLRDHUP | agentd_EPOLLHUP) != 0)
        }
    }

    private func readAvailable(peerHungUp: Bool) {
        if readsPaused {
            // Only the hang-up is of interest while the buffer is full.
            if peerHungUp { peerClosed() }
            return
        }
        let space = inbound.writableSpace(minimum: 1024)
        let count = Glibc.read(fd, space.baseAddress, space.count)
        if count > 0 {
            if state == .lingering {
                inbound.didWrite(count)
                inbound.consume(inbound.readableCount)
                return
            }
            inbound.didWrite(count)
            process()
            updateInterest()
        } else if count == 0 {
            peerClosed()
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            abort()
        }
    }

    /// Reading pauses while a response is pending and unparsed pipelined input has piled up.
    var readsPaused: Bool {
        (state == .responding || state == .streaming || state == .finishing)
            && inbound.readableCount >= context.configuration.limits.maxHeaderBytes
    }

    private func peerClosed() {
        switch state {
        case .awaitingHead where inbound.isEmpty && outboundSent < outbound.count:
            // A client that half-closed after its last request still gets the responses.
            state = .finishing
            flush()
        default:
            abort()
        }
    }

    // MARK: Parsing

    /// Parses and dispatches as many buffered requests as the current state allows, then writes.
    func process() {
        guard !isProcessing else { return }
        isProcessing = true
        defer { isProcessing = false }
        parsing: while true {
            switch state {
            case .awaitingHead:
                if inbound.isEmpty { break parsing }
                if deadlineKind != .header { setDeadline(.header, context.headerTimeoutNs) }
                switch headParser.parse(inbound.readable) {
                case .needMore:
                    break parsing
                case .failed(let error):
                    reject(error, path: RequestPath.atStart(of: inbound.readable))
                    break parsing
                case .complete(let head, let consumed):
                    inbound.consume(consumed)
                    beginBody(head)
                }
            case .readingBody:
                if inbound.isEmpty { break parsing }
                switch bodyDecoder!.decode(inbound.readable, into: &body) {
                case .progress(let consumed):
                    inbound.consume(consumed)
                    setDeadline(.body, context.bodyTimeoutNs)
                    break parsing
                case .complete(let consumed):
                    inbound.consume(consumed)
                    let head = pendingHead!
                    let requestBody = body
                    pendingHead = nil
                    bodyDecoder = nil
                    body = []
                    dispatch(head, body: requestBody)
                case .failed(let error):
                    reject(error)
                    break parsing
                }
            case .responding, .streaming, .finishing, .lingering, .closed:
                break parsing
            }
        }
        flush()
    }

    private func beginBody(_ head: HTTPRequestHead) {
        switch head.framing {
        case .none:
            dispatch(head, body: [])
        case .contentLength, .chunked:
            // Reserve for small bodies only: a client announcing a large one and trickling it must not make
            // the server hold the whole announced size per connection up front.
            if case .contentLength(let length) = head.framing { body.reserveCapacity(min(length, 64 * 1024)) }
            pendingHead = head
            bodyDecoder = HTTPBodyDecoder(framing: head.framing, limits: context.configuration.limits)
            state = .readingBody
            setDeadline(.body, context.bodyTimeoutNs)
            if head.expectsContinue && inbound.isEmpty {
                outbound.append(contentsOf: HTTPResponseEncoder.continueResponse)
            }
        }
    }

    private func dispatch(_ head: HTTPRequestHead, body: [UInt8]) {
        serial &+= 1
        state = .responding
        setDeadline(.none, 0)
        let requestID: String
        if let given = head.headers["X-Request-ID"], RequestIDGenerator.isAcceptable(given) {
            requestID = given
        } else {
            requestID = loop.requestIDs.make()
        }
        exchange = Exchange(
            serial: serial, requestID: requestID, method: head.method, version: head.version, keepAlive: head.keepAlive,
            startedNs: loop.nowNs
        )
        context.inFlightRequests.add(1, ordering: .relaxed)
        let request = HTTPRequest(head: head, body: body, id: requestID, remoteAddress: remoteAddress)
        context.handler.handle(request, responder: Responder(connection: ConnectionHandle(self), serial: serial))
    }

    /// Answers a request that cannot be read with its error status, then closes: after a framing error
    /// nothing else on this connection can be trusted, so a smuggled request behind it is never read.
    func reject(_ error: HTTPParseError, path: String? = nil) {
        let requestID = loop.requestIDs.make()
        context.log(.debug, "rejected request", ["status": "\(error.status.code)", "reason": error.description, "request_id": requestID])
        rejectWith(
            context.handler.renderError(pendingHead?.path ?? path, error.status, error.errorType, error.description, requestID, HTTPHeaders()),
            requestID: requestID
        )
    }

    func rejectWith(_ response: HTTPResponse, requestID: String) {
        headParser.reset()
        pendingHead = nil
        bodyDecoder = nil
        body = []
        HTTPResponseEncoder.writeHead(
            status: response.status, headers: response.headers, extra: HTTPField(name: "X-Request-ID", value: requestID),
            framing: .contentLength(response.body.count), keepAlive: false,
            requestVersion: .http1_1, date: loop.dateBytes, into: &outbound
        )
        outbound.append(contentsOf: response.body)
        context.onRejected(response.status, requestID: requestID, remoteAddress: remoteAddress)
        state = .finishing
        flush()
    }
}

/// A connection reference that may cross threads. It is only dereferenced on the connection's loop.
struct ConnectionHandle: @unchecked Sendable {
    let connection: Connection
    init(_ connection: Connection) { self.connection = connection }
    var loop: EventLoop { connection.loop }
}
