import Agent
import JSON
import LLM
import Locks
import Tracing

/// An MCP answer: the HTTP status, the session the server gave, and the JSON-RPC messages of the body.
struct MCPReply: Sendable {
    let status: Int
    let sessionID: String?
    let messages: [JSONRPCMessage]

    func result(id: Int) -> JSONValue? {
        for message in messages { if case .result(let answered, let result) = message, answered.intValue == id { return result } }
        return nil
    }

    /// A JSON-RPC error answering `id`, as text.
    func problem(id: Int) -> String? {
        for message in messages {
            if case .error(let answered, let code, let text) = message, answered.intValue == id { return "\(text) (JSON-RPC error \(code))" }
        }
        return nil
    }
}

enum MCPOutcome: Sendable {
    case success(MCPReply)
    case failure(String)
}

extension MCPServerConnection {
    /// POSTs one JSON-RPC message (`method`, on `target`: a tool's name) to the server's endpoint within
    /// `timeout_ms`; `session`: with the session's id and the negotiated protocol version. A 2xx or a 404 (a lost
    /// session) is a reply; anything else, or no answer, a failure. Notifications riding in the answer are acted on
    /// (`tools/list_changed`). Traced, the message is a client span under the caller's (a tool call's) or the root of
    /// its own trace (a session's set-up, a refresh), and the server is sent its `traceparent`.
    @discardableResult
    func post(
        _ body: [UInt8], method: String, target: String? = nil, session: Bool, context: ToolCallContext? = nil,
        completion: @escaping @Sendable (MCPOutcome) -> Void
    ) -> ToolCallHandle {
        let parent = context?.traceparent.flatMap(TraceContext.parse)
        let span = tracer.map { tracer in (tracer, tracer.startSpan(parent: parent), Tracer.nowUnixNs()) }
        let completion: @Sendable (MCPOutcome) -> Void = { [self] outcome in
            if let (tracer, context, startUnixNs) = span, context.sampled {
                tracer.record(self.span(
                    outcome, method: method, target: target, context: context, parent: parent, startUnixNs: startUnixNs
                ))
            }
            completion(outcome)
        }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"), ("User-Agent", "agentd"),
        ]
        if session {
            let (id, version) = state.withLock { ($0.sessionID, $0.version) }
            if let id { headers.append(("Mcp-Session-Id", id)) }
            if let version { headers.append(("MCP-Protocol-Version", version)) }
        }
        if let id = context?.requestID { headers.append(("X-Request-ID", id)) }
        if let traceparent = span?.1.traceparent ?? context?.traceparent { headers.append(("traceparent", traceparent)) }
        headers += settings.headers.map { ($0.name, $0.value) }
        let request = TransferRequest(
            url: settings.url, method: "POST", headers: headers, body: body, connectTimeoutMs: min(settings.timeoutMs, 5_000),
            totalTimeoutMs: settings.timeoutMs, idleTimeoutMs: 0
        )
        let answer = Locked<(head: TransferHead?, body: [UInt8], tooLarge: Bool)>((nil, [], false))
        let transfer = engines.pick().start(request, callbacks: TransferCallbacks(
            onHead: { head in answer.withLock { $0.head = head } },
            onData: { bytes in
                answer.withLock { answer in
                    guard answer.body.count + bytes.count <= MCPServerConnection.maxAnswerBytes else {
                        answer.tooLarge = true
                        return .abort
                    }
                    answer.body += bytes
                    return .proceed
                }
            },
            onComplete: { [self] result in
                let (head, bytes, tooLarge) = answer.withLock { ($0.head, $0.body, $0.tooLarge) }
                if tooLarge { return completion(.failure("the answer is larger than \(MCPServerConnection.maxAnswerBytes) bytes")) }
                switch result {
                case .failure(.timedOut(let phase)): return completion(.failure("timed out (\(phase.rawValue)) after \(settings.timeoutMs) ms"))
                case .failure(let error): return completion(.failure("\(error)"))
                case .success: break
                }
                guard let head else { return completion(.failure("no answer")) }
                guard (200..<300).contains(head.status) || head.status == 404 else {
                    return completion(.failure("HTTP \(head.status): \(String(decoding: bytes.prefix(300), as: UTF8.self))"))
                }
                let reply = MCPReply(
                    status: head.status, sessionID: head.header("mcp-session-id"),
                    messages: JSONRPC.messages(contentType: head.header("content-type"), body: bytes)
                )
                let changed = reply.messages.contains { message in
                    if case .notification("notifications/tools/list_changed", _) = message { return true }
                    return false
                }
                if changed { queue.async { [self] in listTools() } }
                completion(.success(reply))
            }
        ))
        return ToolCallHandle { transfer.cancel() }
    }

    /// A message's span, per OpenTelemetry's MCP conventions: `{method} {target}`, a client span.
    private func span(
        _ outcome: MCPOutcome, method: String, target: String?, context: TraceContext, parent: TraceContext?, startUnixNs: UInt64
    ) -> SpanData {
        var attributes: [(key: String, value: AttributeValue)] = [
            ("mcp.method.name", .string(method)), ("agentd.mcp.server", .string(settings.name)),
            ("url.full", .url(settings.url)),
        ]
        if let target { attributes += [("gen_ai.tool.name", .string(target)), ("gen_ai.operation.name", .string("execute_tool"))] }
        let (sessionID, version) = state.withLock { ($0.sessionID, $0.version) }
        if let sessionID { attributes.append(("mcp.session.id", .string(sessionID))) }
        if let version { attributes.append(("mcp.protocol.version", .string(version))) }
        var error: String?
        switch outcome {
        case .failure(let problem):
            error = problem
            attributes.append(("error.type", .string(problem.hasPrefix("timed out") ? "timeout" : "transport")))
        case .success(let reply):
            attributes.append(("http.response.status_code", .int(reply.status)))
            for message in reply.messages {
                guard case .error(_, let code, let text) = message else { continue }
                error = text
                attributes.append(("error.type", .string(String(code))))
                attributes.append(("rpc.jsonrpc.error_code", .int(code)))
                break
            }
            if reply.status == 404 && error == nil {
                error = "the session is gone (HTTP 404)"
                attributes.append(("error.type", .string("404")))
            }
        }
        return SpanData(
            context: context, parentSpanID: parent?.spanID, name: target.map { "\(method) \($0)" } ?? method, kind: .client,
            startUnixNs: startUnixNs, attributes: attributes, error: error
        )
    }
}
