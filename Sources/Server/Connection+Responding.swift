import CAgentdSystem
import HTTP

/// Completing exchanges: whole responses, streams and cancellation. Loop-only, like the connection.
extension Connection {
    func complete(serial: UInt64, response: HTTPResponse) {
        guard state == .responding, let exchange, exchange.serial == serial else { return }
        let keepAlive = exchange.keepAlive && !closeAfterResponse && !context.isDraining
        let headers = exchange.extraHeaders.map { Connection.merge($0, into: response.headers) } ?? response.headers
        HTTPResponseEncoder.writeHead(
            status: response.status, headers: headers, extra: requestIDField(headers, exchange),
            framing: .contentLength(response.body.count),
            keepAlive: keepAlive, requestVersion: exchange.version, date: loop.dateBytes, into: &outbound
        )
        if exchange.method != .head && response.status.allowsBody {
            outbound.append(contentsOf: response.body)
        }
        self.exchange?.status = response.status.code
        finishExchange(keepAlive: keepAlive)
    }

    func startStream(serial: UInt64, status: HTTPStatus, headers: HTTPHeaders) {
        guard state == .responding, var exchange, exchange.serial == serial else { return }
        // Chunked coding needs HTTP/1.1; an HTTP/1.0 client reads until the connection closes.
        let framing: HTTPResponseFraming = exchange.version.minor >= 1 ? .chunked : .closeDelimited
        exchange.keepAlive = framing == .chunked && exchange.keepAlive && !closeAfterResponse && !context.isDraining
        exchange.streamFraming = framing
        exchange.status = status.code
        let headers = exchange.extraHeaders.map { Connection.merge($0, into: headers) } ?? headers
        HTTPResponseEncoder.writeHead(
            status: status, headers: headers, extra: requestIDField(headers, exchange), framing: framing,
            keepAlive: exchange.keepAlive,
            requestVersion: exchange.version, date: loop.dateBytes, into: &outbound
        )
        self.exchange = exchange
        if exchange.method == .head {
            finishExchange(keepAlive: exchange.keepAlive)
            return
        }
        state = .streaming
        // A stream can last minutes and its client sends nothing meanwhile: its read buffer is not kept.
        inbound.release()
        flush()
    }

    /// Queues stream bytes. `ready` runs once: when the output is below the high-water mark again (at once,
    /// usually), or when the stream can no longer be written; the producer learns which through `onCancel`.
    func writeStream(serial: UInt64, bytes: [UInt8], ready: (@Sendable () -> Void)?) {
        guard state == .streaming, let exchange, exchange.serial == serial else {
            ready?()
            return
        }
        bytes.withUnsafeBytes { raw in
            if exchange.streamFraming == .chunked {
                HTTPResponseEncoder.writeChunk(raw, into: &outbound)
            } else {
                outbound.append(contentsOf: raw)
            }
        }
        flush()
        guard let ready else { return }
        if state == .streaming && pendingOutputBytes > context.configuration.streamHighWaterBytes {
            precondition(streamReady == nil, "wait for a stream write's ready callback before writing again")
            streamReady = ready
        } else {
            ready()
        }
    }

    func finishStream(serial: UInt64) {
        guard state == .streaming, let exchange, exchange.serial == serial else { return }
        if exchange.streamFraming == .chunked { outbound.append(contentsOf: HTTPResponseEncoder.lastChunk) }
        finishExchange(keepAlive: exchange.keepAlive)
    }

    func onCancel(serial: UInt64, _ handler: @escaping @Sendable () -> Void) {
        guard exchange?.serial == serial else {
            // Already answered or gone; a gone connection has already cancelled.
            if state == .closed { handler() }
            return
        }
        exchange?.cancelHandlers.append(handler)
    }

    /// Every response carries the request id, unless the handler set one itself.
    private func requestIDField(_ headers: HTTPHeaders, _ exchange: Exchange) -> HTTPField? {
        headers.contains("X-Request-ID") ? nil : HTTPField(name: "X-Request-ID", value: exchange.requestID)
    }

    var pendingOutputBytes: Int { outbound.count - outboundSent }

    /// Ends the current exchange; the next pipelined request is parsed, or the connection finishes.
    func finishExchange(keepAlive: Bool) {
        if let exchange { report(exchange, completed: true) }
        exchange = nil
        context.inFlightRequests.subtract(1, ordering: .relaxed)
        if keepAlive {
            state = .awaitingHead
            setDeadline(.idle, context.idleTimeoutNs)
            inbound.shrinkIfIdle()
        } else {
            state = .finishing
        }
        if !isProcessing { process() }
    }

    /// Drops the exchange in flight, telling its producer; used when the connection dies under it.
    func cancelExchange() {
        guard let exchange else { return }
        self.exchange = nil
        context.inFlightRequests.subtract(1, ordering: .relaxed)
        report(exchange, completed: false)
        for handler in exchange.cancelHandlers { handler() }
        if let ready = streamReady {
            streamReady = nil
            ready()
        }
    }

    func noteRoute(serial: UInt64, _ template: String) {
        guard exchange?.serial == serial else { return }
        exchange?.route = template
    }

    func addHeaders(serial: UInt64, _ headers: HTTPHeaders) {
        guard exchange?.serial == serial else { return }
        var extra = exchange?.extraHeaders ?? HTTPHeaders()
        for field in headers { extra.set(field.name, field.value) }
        exchange?.extraHeaders = extra
    }

    /// `headers` with each field of `extra` it does not set itself.
    static func merge(_ extra: HTTPHeaders, into headers: HTTPHeaders) -> HTTPHeaders {
        var merged = headers
        for field in extra where !headers.contains(field.name) { merged.add(field.name, field.value) }
        return merged
    }

    func annotate(serial: UInt64, _ note: ExchangeNote) {
        guard exchange?.serial == serial else { return }
        let merged = exchange?.note.map { $0.merged(with: note) } ?? note
        exchange?.note = merged
    }

    private func report(_ exchange: Exchange, completed: Bool) {
        guard let observer = context.exchangeObserver else { return }
        observer.exchangeFinished(ExchangeRecord(
            requestID: exchange.requestID, method: exchange.method, route: exchange.route, status: exchange.status,
            durationNs: agentd_monotonic_ns() &- exchange.startedNs, remoteAddress: remoteAddress, completed: completed,
            note: exchange.note
        ))
    }
}
