import HTTP

/// How a handler answers one request, from any thread, now or later.
///
/// Exactly one of `respond` or `startStream` should be called; later calls, and calls after the client went
/// away, are ignored. Each call hops onto the connection's event loop (or runs at once when already there).
/// A responder made with `init(recording:)` answers into an `ExchangeRecorder` instead: the same handler, driven
/// in-process, without a socket.
public struct Responder: Sendable {
    /// Where the calls go: a connection's exchange, or a recorder.
    enum Target: Sendable {
        case connection(ConnectionHandle, serial: UInt64)
        case recorder(ExchangeRecorder)
    }

    let target: Target

    init(connection: ConnectionHandle, serial: UInt64) { target = .connection(connection, serial: serial) }

    /// A responder whose answer `recorder` takes, for driving a handler or a router in-process (tests).
    public init(recording recorder: ExchangeRecorder) { target = .recorder(recorder) }

    /// Runs `work` in this exchange's order, never at once: on the connection's event loop (so it is serial with
    /// the responder's own calls there), or on a recorder's queue.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        switch target {
        case .connection(let connection, _): connection.loop.execute(work)
        case .recorder(let recorder): recorder.queue.async(execute: work)
        }
    }

    public func respond(_ response: HTTPResponse) {
        switch target {
        case .connection(let connection, let serial):
            if connection.loop.inEventLoop {
                // The common case, a handler answering at once: no closure, no hop.
                connection.connection.complete(serial: serial, response: response)
                return
            }
            connection.loop.execute { connection.connection.complete(serial: serial, response: response) }
        case .recorder(let recorder):
            recorder.complete(response)
        }
    }

    /// Sends the head of a streamed response (chunked for HTTP/1.1) and returns the stream to write to.
    public func startStream(status: HTTPStatus = .ok, headers: HTTPHeaders) -> ResponseStream {
        switch target {
        case .connection(let connection, let serial):
            connection.loop.run { connection.connection.startStream(serial: serial, status: status, headers: headers) }
        case .recorder(let recorder):
            recorder.startStream(status: status, headers: headers)
        }
        return ResponseStream(target: target)
    }

    /// Drops the connection at once with a TCP reset and no response: an upstream dying under a request.
    public func abortWithReset() { ResponseStream(target: target).abortWithReset() }

    /// Runs `handler` on the loop if the client disconnects before the response is complete (at once if it
    /// already has), so the work behind the request can stop.
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        switch target {
        case .connection(let connection, let serial):
            if connection.loop.inEventLoop {
                connection.connection.onCancel(serial: serial, handler)
                return
            }
            connection.loop.execute { connection.connection.onCancel(serial: serial, handler) }
        case .recorder(let recorder):
            recorder.onCancel(handler)
        }
    }

    /// Attaches what the handler learned to the exchange's record (later notes win field by field); call it
    /// before responding, or before finishing a stream.
    public func annotate(_ note: ExchangeNote) {
        switch target {
        case .connection(let connection, let serial):
            if connection.loop.inEventLoop {
                connection.connection.annotate(serial: serial, note)
                return
            }
            connection.loop.execute { connection.connection.annotate(serial: serial, note) }
        case .recorder(let recorder):
            recorder.annotate(note)
        }
    }

    /// Fields every response to this request will carry unless it sets them itself (the rate-limit headers
    /// a guard in front of the handler adds). Call it before responding.
    public func addHeaders(_ headers: HTTPHeaders) {
        switch target {
        case .connection(let connection, let serial):
            if connection.loop.inEventLoop {
                connection.connection.addHeaders(serial: serial, headers)
                return
            }
            connection.loop.execute { connection.connection.addHeaders(serial: serial, headers) }
        case .recorder(let recorder):
            recorder.addHeaders(headers)
        }
    }

    /// The route template the request matched, for logs and metrics (the router calls it).
    func noteRoute(_ template: String) {
        switch target {
        case .connection(let connection, let serial):
            if connection.loop.inEventLoop {
                connection.connection.noteRoute(serial: serial, template)
                return
            }
            connection.loop.execute { connection.connection.noteRoute(serial: serial, template) }
        case .recorder(let recorder):
            recorder.noteRoute(template)
        }
    }
}

/// The body of a streamed response. Writes are flushed as they come (one SSE event per write).
///
/// Backpressure: a slow reader never makes the server buffer without bound. Each write takes a `ready`
/// callback that runs once the queued output is back under the high-water mark; a producer that writes
/// only after `ready` (or uses the async `write`) is paused while the client is not reading.
public struct ResponseStream: Sendable {
    let target: Responder.Target

    public func write(_ bytes: [UInt8], ready: (@Sendable () -> Void)? = nil) {
        switch target {
        case .connection(let connection, let serial):
            if connection.loop.inEventLoop {
                // The common case, a stream fed from its connection's loop (the guest transfer engine): no
                // closure to allocate for each event, no hop.
                connection.connection.writeStream(serial: serial, bytes: bytes, ready: ready)
                return
            }
            connection.loop.execute { connection.connection.writeStream(serial: serial, bytes: bytes, ready: ready) }
        case .recorder(let recorder):
            recorder.write(bytes, ready: ready)
        }
    }

    /// Writes and suspends until the output drains below the high-water mark or the client is gone.
    public func write(_ bytes: [UInt8]) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            write(bytes) { continuation.resume() }
        }
    }

    /// Ends the body (the last chunk); the connection then serves its next request.
    public func finish() {
        switch target {
        case .connection(let connection, let serial):
            connection.loop.run { connection.connection.finishStream(serial: serial) }
        case .recorder(let recorder):
            recorder.finishStream()
        }
    }

    /// Drops the connection at once with a TCP reset instead of finishing the body: what a failing upstream
    /// looks like to its client (mock-llm's mid-stream reset).
    public func abortWithReset() {
        switch target {
        case .connection(let connection, let serial):
            connection.loop.run { connection.connection.reset(serial: serial) }
        case .recorder(let recorder):
            recorder.reset()
        }
    }

    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        switch target {
        case .connection(let connection, let serial):
            connection.loop.run { connection.connection.onCancel(serial: serial, handler) }
        case .recorder(let recorder):
            recorder.onCancel(handler)
        }
    }
}
