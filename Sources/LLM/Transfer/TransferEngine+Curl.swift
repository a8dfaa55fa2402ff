import CAgentdSystem
import CCurl
import Glibc

/// The multi handle's side: curl's socket and timer callbacks, socket actions and finished transfers.
/// Engine thread only.
extension TransferEngine {
    func configureMulti() {
        let this = Unmanaged.passUnretained(self).toOpaque()
        _ = agentd_curl_multi_setopt_socket_function(multi, curlSocketCallback)
        _ = agentd_curl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, this)
        _ = agentd_curl_multi_setopt_timer_function(multi, curlTimerCallback)
        _ = agentd_curl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, this)
        _ = agentd_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, agentd_CURLPIPE_MULTIPLEX)
        // Idle connections kept for reuse; enough for a burst of concurrent calls to one upstream.
        _ = agentd_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 4096)
    }

    /// curl's CURLMOPT_SOCKETFUNCTION: watch `fd` for what curl asks, or stop watching it.
    /// curl may announce the same socket several times in a row, and a socket may outlive the easy handle
    /// that opened it (the connection cache), so sockets are tracked by descriptor alone.
    /// A socket curl no longer wants stays in epoll: a cached connection is usually wanted again by the next
    /// transfer at once, and then one epoll_ctl(MOD) replaces a DEL and an ADD. If it speaks while unwanted
    /// (the upstream closed it), `socketReady` removes it then. A closed socket leaves epoll by itself and
    /// `socketClosing` forgets it; should its number come back unannounced, MOD fails and ADD registers it.
    /// `idleConnections` counts the sockets curl stopped wanting (a connection back in its cache) until they are
    /// wanted again or closed.
    func socketChanged(_ fd: Int32, what: Int32) {
        if what == agentd_CURL_POLL_REMOVE {
            if let entry = sockets[fd], entry.wanted != 0 {
                sockets[fd]?.wanted = 0
                idleConnections += 1
            }
            return
        }
        var events: UInt32 = 0
        if what & agentd_CURL_POLL_IN != 0 { events |= agentd_EPOLLIN }
        if what & agentd_CURL_POLL_OUT != 0 { events |= agentd_EPOLLOUT }
        let token = UInt64(UInt32(bitPattern: fd))
        if let entry = sockets[fd] {
            if entry.wanted == 0 { idleConnections -= 1 }
            if entry.wanted == 0 || entry.registered != events, agentd_epoll_modify(epollFD, fd, events, token) != 0 {
                _ = agentd_epoll_add(epollFD, fd, events, token)
            }
        } else if agentd_epoll_add(epollFD, fd, events, token) != 0 {
            _ = agentd_epoll_modify(epollFD, fd, events, token)
        }
        sockets[fd] = (events, events)
    }

    /// curl's CURLMOPT_TIMERFUNCTION: one timer for the whole multi handle. It must not call back into curl.
    func timerChanged(timeoutMs: Int) {
        timerDeadlineNs = timeoutMs < 0 ? nil : TransferClock.nowNs() + UInt64(timeoutMs) * 1_000_000
    }

    func socketReady(_ fd: Int32, events: UInt32) {
        if let entry = sockets[fd], entry.wanted == 0 {
            // An idle cached connection: curl checks it for life when it next wants it.
            sockets[fd] = nil
            idleConnections -= 1
            _ = agentd_epoll_delete(epollFD, fd)
            return
        }
        var mask: Int32 = 0
        if events & agentd_EPOLLIN != 0 { mask |= agentd_CURL_CSELECT_IN }
        if events & agentd_EPOLLOUT != 0 { mask |= agentd_CURL_CSELECT_OUT }
        if events & (agentd_EPOLLERR | agentd_EPOLLHUP) != 0 { mask |= agentd_CURL_CSELECT_ERR }
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, fd, mask, &running)
        processCompletions()
    }

    /// curl's CURLOPT_CLOSESOCKETFUNCTION, before the engine closes `fd` for it: the socket is forgotten (epoll
    /// drops a closed descriptor by itself), and an idle one no longer counts.
    func socketClosing(_ fd: Int32) {
        if let entry = sockets.removeValue(forKey: fd), entry.wanted == 0 { idleConnections -= 1 }
    }

    func timerFired() {
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, agentd_CURL_SOCKET_TIMEOUT, 0, &running)
        processCompletions()
    }

    /// Reports every transfer curl has finished since the last look.
    func processCompletions() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var pointer: UnsafeMutableRawPointer?
            _ = agentd_curl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &pointer)
            guard let pointer else { continue }
            finish(Unmanaged<CurlTransfer>.fromOpaque(pointer).takeUnretainedValue(), code: code)
        }
    }

    /// Maps curl's result to ours. An abort the engine started (cancel, idle timeout) wins over the
    /// write error curl reports for it.
    static func outcome(of transfer: CurlTransfer, code: CURLcode) -> Result<Void, TransferError> {
        if let reason = transfer.abortReason { return .failure(reason) }
        let detail = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OK:
            return .success(())
        case CURLE_OPERATION_TIMEDOUT:
            var connectCode: Int = 0
            _ = agentd_curl_easy_getinfo_long(transfer.easy, CURLINFO_CONNECT_TIME_T, &connectCode)
            return .failure(.timedOut(connectCode == 0 && !transfer.headDelivered ? .connect : .total))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SSL_CONNECT_ERROR,
            CURLE_PEER_FAILED_VERIFICATION:
            return .failure(.connectFailed(detail))
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .failure(.invalidRequest(detail))
        default:
            return .failure(.network(detail))
        }
    }
}

private let curlSocketCallback: curl_socket_callback = { _, fd, what, context, _ in
    Unmanaged<TransferEngine>.fromOpaque(context!).takeUnretainedValue().socketChanged(fd, what: what)
    return 0
}

/// Set on every easy handle with the engine as its data; curl keeps it with the connection, which may outlive
/// the transfer (the connection cache), and calls it from inside curl, on the engine's thread.
let curlCloseSocketCallback: curl_closesocket_callback = { context, fd in
    Unmanaged<TransferEngine>.fromOpaque(context!).takeUnretainedValue().socketClosing(fd)
    return close(fd)
}

private let curlTimerCallback: curl_multi_timer_callback = { _, timeoutMs, context in
    Unmanaged<TransferEngine>.fromOpaque(context!).takeUnretainedValue().timerChanged(timeoutMs: timeoutMs)
    return 0
}
