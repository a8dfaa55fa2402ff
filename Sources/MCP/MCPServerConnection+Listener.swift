import Agent
import Dispatch
import HTTP
import LLM
import Locks

/// The session's GET stream (Streamable HTTP): where a server sends what no request of ours asked for, such
/// as `notifications/tools/list_changed`, which refreshes the tool list at once. One stream per session, for at
/// most `listenMs` at a time (then opened again, so even a silently dead server is noticed); a server that does
/// not offer the stream (405) is not asked again for that session; any other end is retried after
/// `relistenDelayMs`.
extension MCPServerConnection {
    static let listenMs = 600_000
    static let relistenDelayMs = 5_000

    func listen() {
        let opened = state.withLock { state -> (session: String, version: String?)? in
            guard !state.stopped, state.up, !state.listening, let session = state.sessionID else { return nil }
            state.listening = true
            return (session, state.version)
        }
        guard let opened else { return }
        var headers: [(name: String, value: String)] = [("Accept", "text/event-stream"), ("User-Agent", "agentd"), ("Mcp-Session-Id", opened.session)]
        if let version = opened.version { headers.append(("MCP-Protocol-Version", version)) }
        headers += settings.headers.map { ($0.name, $0.value) }
        let request = TransferRequest(
            url: settings.url, method: "GET", headers: headers, connectTimeoutMs: min(settings.timeoutMs, 5_000),
            totalTimeoutMs: MCPServerConnection.listenMs, idleTimeoutMs: 0
        )
        // Fed by the engine's thread, one piece after the other.
        let stream = Locked<(status: Int, parser: ServerSentEventParser)>((0, ServerSentEventParser()))
        _ = engines.pick().start(request, callbacks: TransferCallbacks(
            onHead: { head in stream.withLock { $0.status = head.status } },
            onData: { [self] bytes in
                var changed = false
                let ok = stream.withLock { stream -> Bool in
                    guard stream.status == 200 else { return false }
                    do {
                        try stream.parser.feed(bytes) { event in
                            for message in JSONRPC.messages(contentType: "application/json", body: Array(event.data.utf8)) {
                                if case .notification("notifications/tools/list_changed", _) = message { changed = true }
                            }
                        }
                        return true
                    } catch {
                        return false
                    }
                }
                if changed { queue.async { [self] in listTools() } }
                return ok ? .proceed : .abort
            },
            onComplete: { [self] _ in
                let status = stream.withLock { $0.status }
                // Again for the same session (later, unless it refused the stream), or at once for a new one.
                let delayMs = state.withLock { state -> Int? in
                    state.listening = false
                    guard !state.stopped, state.up, let session = state.sessionID else { return nil }
                    if session != opened.session { return 0 }
                    return status == 405 ? nil : MCPServerConnection.relistenDelayMs
                }
                if let delayMs { clock.schedule(afterMs: delayMs, on: queue) { [weak self] in self?.listen() } }
            }
        ))
    }
}
