import HTTP

/// How a handler answers one request, from any thread, now or later.
///
/// Exactly one of `respond` or `startStream` should be called; later calls, and calls after the client went
/// away, are ignored. Each call hops onto the connection's event loop (or runs at once when already there).
public struct Responder: Sendable {
    let connection: ConnectionHandle
    let serial: UInt64

    /// The loop the request arrived on; work that must not block may run there.
    public var eventLoop: EventLoop { connection.loop }

    public func respond(_ response: HTTPResponse) {
        if connection.loop.inEventLoop {
            // The common case, a handler answering at once: no closure, no hop.
            connection.connection.complete(serial: serial, response: response)
            return
        }
        let connection = self.connection, serial = self.serial
        connection.loop.execute { connection.connection.complete(serial: serial, response: response) }
    }

    /// Sends the head of a streamed response (chunked for HTTP/1.1) and returns the stream to write to.
    public func startStream(status: HTTPStatus = .ok, headers: HTTPHeaders) -> ResponseStream {
        let connection = self.connection, serial = self.serial
        connection.loop.run { connection.connection.startStream(serial: serial, status: status, headers: headers) }
        return ResponseStream(connection: connection, serial: serial)
    }

    /// Drops the connection at once with a TCP reset and no response: an upstream dying under a request.
    public func abortWithReset() {
        let connection = self.connection, serial = self.serial
        connection.loop.run { connection.connection.reset(serial: serial) }
    }

    /// Runs `handler` on the loop if the client disconnects before the response is complete (at once if it
    /// already has), so the work behind the request can stop.
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        if connection.loop.inEventLoop {
            connection.connection.onCancel(serial: serial, handler)
            return
        }
        let connection = self.connection, serial = self.serial
        connection.loop.execute { connection.connection.onCancel(serial: serial, handler) }
    }

    /// Attaches what the handler learned to the exchange's record (later notes win field by field); call it
    /// before responding, or before finishing a stream.
    public func annotate(_ note: ExchangeNote) {
        if connection.loop.inEventLoop {
            connection.connection.annotate(serial: serial, note)
            return
        }
        let connection = self.connection, serial = self.serial
        connection.loop.execute { connection.connection.annotate(serial: serial, note) }
    }

    /// Fields every response to this request will carry unless it sets them itself (the rate-limit headers
    /// a guard in front of the handler adds). Call it before responding.
    public func addHeaders(_ headers: HTTPHeaders) {
        if connection.loop.inEventLoop {
            connection.connection.addHeaders(serial: serial, headers)
            return
        }
        let connection = self.connection, serial = self.serial
        connection.loop.execute { connection.connection.addHeaders(serial: serial, headers) }
    }

    /// The route template the request matched, for logs and metrics (the router calls it).
    func noteRoute(_ template: String) {
        if connection.loop.inEventLoop {
            connection.connection.noteRoute(serial: serial, template)
            return
        }
        let connection = self.connection, serial = self.serial
        connection.loop.execute { connection.connection.noteRoute(serial: serial, template) }
    }
}

/// The body of a streamed response. Writes are flushed as they come (one SSE event per write).
///
/// Backpressure: a slow reader never makes the server buffer without bound. Each write takes a `ready`
/// callback that runs once the queued output is back under the high-water mark; a producer that writes
/// only after `ready` (or uses the async `write`) is paused while the client is not reading.
public struct ResponseStream: Sendable {
    let connection: ConnectionHandle
    let serial: UInt64

    public func write(_ bytes: [UInt8], ready: (@Sendable () -> Void)? = nil) {
        let connection = self.connection, serial = self.serial
        connection.loop.run { connection.connection.writeStream(serial: serial, bytes: bytes, ready: ready) }
    }

    /// Writes and suspends until the output drains below the high-water mark or the client is gone.
    public func write(_ bytes: [UInt8]) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            write(bytes) { continuation.resume() }
        }
    }

    /// Ends the body (the last chunk); the connection then serves its next request.
    public func finish() {
        let connection = self.connection, serial = self.serial
        connection.loop.run { connection.connection.finishStream(serial: serial) }
    }

    /// Drops the connection at once with a TCP reset instead of finishing the body: what a failing upstream
    /// looks like to its client (mock-llm's mid-stream reset).
    public func abortWithReset() {
        let connection = self.connection, serial = self.serial
        connection.loop.run { connection.connection.reset(serial: serial) }
    }

    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let connection = self.connection, serial = self.serial
        connection.loop.run { connection.connection.onCancel(serial: serial, handler) }
    }
}
