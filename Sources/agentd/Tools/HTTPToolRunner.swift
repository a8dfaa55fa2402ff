import Agent
import LLM
import Locks

/// Runs `http` tools (README.md, API, "Agents that act") through the libcurl transfer engines: POST of the
/// arguments as JSON to the tool's URL with its headers, `X-Request-ID` and `traceparent`, within its `timeout_ms`; the
/// body of a 2xx answer (JSON or text) is the result, any other status an error result carrying it.
///
/// Owner: none; each call's answer sits behind its own lock (written by the engine's callbacks, read at the end).
/// It reads at most `maxBodyBytes` of a body (the loop cuts results shorter still) and never follows redirects.
struct HTTPToolRunner: ToolRunning {
    let engines: TransferEnginePool
    /// A little over AGENTD_TOOL_RESULT_MAX_BYTES: the loop's cut then says the result was longer.
    let maxBodyBytes: Int

    func run(
        _ tool: AgentTool, arguments: [UInt8], context: ToolCallContext, completion: @escaping @Sendable (ToolCallResult) -> Void
    ) -> ToolCallHandle {
        guard case .http(let url, let toolHeaders, let timeoutMs) = tool.kind else {
            completion(ToolCallResult(outcome: .error, content: "error: not an HTTP tool"))
            return ToolCallHandle {}
        }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Accept", "application/json, text/plain;q=0.9, */*;q=0.1"), ("User-Agent", "agentd"),
        ]
        if let id = context.requestID { headers.append(("X-Request-ID", id)) }
        if let traceparent = context.traceparent { headers.append(("traceparent", traceparent)) }
        headers += toolHeaders.map { ($0.name, $0.value) }
        let request = TransferRequest(
            url: url, method: "POST", headers: headers, body: arguments, connectTimeoutMs: min(timeoutMs, 5_000),
            totalTimeoutMs: timeoutMs, idleTimeoutMs: 0
        )
        let answer = Locked<(head: TransferHead?, body: [UInt8], cut: Bool)>((nil, [], false))
        let limit = maxBodyBytes
        let handle = engines.pick().start(request, callbacks: TransferCallbacks(
            onHead: { head in answer.withLock { $0.head = head } },
            onData: { bytes in
                answer.withLock { answer in
                    let room = limit - answer.body.count
                    answer.body += bytes.prefix(max(0, room))
                    if bytes.count > room { answer.cut = true }
                    return answer.cut ? .abort : .proceed
                }
            },
            onComplete: { result in
                let (head, body, cut) = answer.withLock { ($0.head, $0.body, $0.cut) }
                completion(HTTPToolRunner.result(head: head, body: body, cut: cut, transfer: result))
            }
        ))
        return ToolCallHandle { handle.cancel() }
    }

    /// A pure function of what the transfer produced.
    static func result(head: TransferHead?, body: [UInt8], cut: Bool, transfer: Result<Void, TransferError>) -> ToolCallResult {
        let text = String(decoding: body, as: UTF8.self) + (cut ? "\n[truncated]" : "")
        if let head, cut || (try? transfer.get()) != nil {
            if (200..<300).contains(head.status) { return ToolCallResult(outcome: .success, content: text) }
            return ToolCallResult(outcome: .error, content: "error: the tool answered HTTP \(head.status)" + (text.isEmpty ? "" : ": \(text)"))
        }
        switch transfer {
        case .failure(.timedOut(let phase)): return ToolCallResult(outcome: .timeout, content: "error: the tool did not answer in time (\(phase.rawValue))")
        case .failure(.cancelled): return ToolCallResult(outcome: .error, content: "error: cancelled")
        case .failure(let error): return ToolCallResult(outcome: .error, content: "error: the tool could not be reached: \(error)")
        case .success: return ToolCallResult(outcome: .error, content: "error: the tool's answer ended early")
        }
    }
}
