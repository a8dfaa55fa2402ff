import CAgentdSystem
import Glibc
import HTTP

/// Writing, deadlines and closing. Loop-only, like the connection.
extension Connection {
    /// Writes pending output until done or the socket is full; then waits for EPOLLOUT.
    func flush() {
        guard state != .closed else { return }
        while outboundSent < outbound.count {
            let sent = outbound.withUnsafeBytes { raw in
                agentd_send(fd, raw.baseAddress! + outboundSent, raw.count - outboundSent)
            }
            if sent > 0 {
                outboundSent += sent
                writeBlockedSinceNs = 0
                continue
            }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                if writeBlockedSinceNs == 0 { writeBlockedSinceNs = loop.nowNs }
                updateInterest()
                return
            }
            abort()
            return
        }
        // Kept for the next response, but not by a stream between its events: thousands of streams would each
        // hold the room of their largest write while they wait.
        outbound.removeAll(keepingCapacity: state != .streaming && outbound.capacity <= 256 * 1024)
        outboundSent = 0
        writeBlockedSinceNs = 0
        if state == .finishing {
            beginLinger()
            return
        }
        updateInterest()
        if let ready = streamReady {
            streamReady = nil
            ready()
        }
    }

    /// Keeps epoll's interest in step with the state: EPOLLOUT only while output waits,
    /// EPOLLIN unless reading is paused. The hang-up is always watched, to cancel work for a gone client.
    func updateInterest() {
        guard state != .closed else { return }
        var wanted = agentd_EPOLLRDHUP
        if !readsPaused { wanted |= agentd_EPOLLIN }
        if outboundSent < outbound.count { wanted |= agentd_EPOLLOUT }
        if wanted != interest {
            interest = wanted
            loop.modify(fd: fd, events: wanted)
        }
    }

    /// Half-closes after the final response and discards input for a while, so the client reads the
    /// response rather than a reset caused by unread bytes (RFC 9112 §9.6).
    func beginLinger() {
        state = .lingering
        _ = agentd_shutdown_write(fd)
        inbound.consume(inbound.readableCount)
        setDeadline(.linger, UInt64(context.configuration.lingerMs) * 1_000_000)
        updateInterest()
    }

    func setDeadline(_ kind: DeadlineKind, _ durationNs: UInt64) {
        deadlineKind = kind
        deadlineNs = kind == .none ? 0 : loop.nowNs + durationNs
    }

    func checkDeadline(now: UInt64) {
        if writeBlockedSinceNs != 0 && now &- writeBlockedSinceNs > context.writeTimeoutNs {
            context.log(.info, "closing connection: the client stopped reading", ["client": remoteAddress])
            abort()
            return
        }
        guard deadlineNs != 0, now >= deadlineNs else { return }
        switch deadlineKind {
        case .header where !inbound.isEmpty, .body:
            timedOut()
        case .header, .idle, .linger:
            close()
        case .none:
            break
        }
    }

    private func timedOut() {
        let requestID = loop.requestIDs.make()
        let which = deadlineKind == .body ? "request body" : "request header"
        let response = context.handler.renderError(
            pendingHead?.path, .requestTimeout, "request_timeout", "\(which) not received in time", requestID, HTTPHeaders()
        )
        rejectWith(response, requestID: requestID)
    }

    /// Server shutdown: closes an idle connection now, or marks a busy one to close after its response.
    func closeIfIdle() {
        switch state {
        case .awaitingHead where inbound.isEmpty:
            if outboundSent < outbound.count {
                state = .finishing
            } else {
                close()
            }
        case .awaitingHead, .readingBody, .responding, .streaming:
            closeAfterResponse = true
        case .finishing, .lingering, .closed:
            break
        }
    }

    /// Closes at once, cancelling any exchange in flight.
    func abort() { close() }

    /// Closes with a TCP reset (SO_LINGER 0) if `serial` is still the exchange in flight.
    func reset(serial: UInt64) {
        guard exchange?.serial == serial, state != .closed else { return }
        _ = agentd_set_linger_reset(fd)
        close()
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        cancelExchange()
        loop.deregister(fd: fd)
        Glibc.close(fd)
        outbound = []
        context.releaseConnection()
    }
}
