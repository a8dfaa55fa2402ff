import Agent
import Dispatch
import JSON
import LLM
import Locks
import Resilience
import Tracing
import Logging

/// agentd's client of one MCP server over Streamable HTTP (protocol 2025-03-26 and 2025-06-18), through the
/// libcurl transfer engines: `initialize`, then `notifications/initialized`, then `tools/list` (every page,
/// only `allowed_tools`); `tools/call` for the agent loop. Answers in JSON or in an SSE stream are both read
/// (`JSONRPC.messages(contentType:body:)`).
///
/// Owner: `state` (a lock) holds the session (`Mcp-Session-Id`, the negotiated version), the listed tools and
/// whether the server is up; transfers complete on the engines' threads and retries run on `queue`. A server
/// that cannot be initialized is retried in the background (backoff up to 30 s) and has no tools meanwhile; a
/// session the server forgot (404) is initialized again and the call retried once. The tool list is refreshed
/// when the server says it changed (`notifications/tools/list_changed`) or when it is older than `listTTLms`.
public final class MCPServerConnection: Sendable {
    public static let supportedVersions = ["2025-06-18", "2025-03-26"]
    /// The largest answer read (a bigger one fails the call): 4 MiB.
    static let maxAnswerBytes = 4 << 20

    struct State {
        var sessionID: String?
        var version: String?
        var tools: [AgentTool] = []
        var up = false
        var connecting = false
        var lastError: String?
        var failures = 0
        /// When the tools were last listed (`clock.nowMs`); nil: never.
        var listedAtMs: Int64?
        var listing = false
        var nextID = 1
        var stopped = false
        /// The session's GET stream is open (`listen()`).
        var listening = false
    }

    public let settings: MCPServerSettings
    let engines: TransferEnginePool
    let logger: Logger
    /// Every JSON-RPC request and notification is a client span when tracing is on.
    let tracer: Tracer?
    let listTTLms: Int
    /// List ages, reconnect backoffs and polls.
    let clock: any TimeSource
    let state = Locked(State())
    let queue = DispatchQueue(label: "agentd.mcp")

    public init(
        settings: MCPServerSettings, engines: TransferEnginePool, logger: Logger, tracer: Tracer? = nil, listTTLms: Int = 60_000,
        clock: any TimeSource = SystemClock()
    ) {
        self.settings = settings
        self.engines = engines
        self.logger = logger
        self.tracer = tracer
        self.listTTLms = listTTLms
        self.clock = clock
    }

    /// Connects in the background; until it answers the server has no tools.
    public func start() { connect() }

    public func stop() { state.withLock { $0.stopped = true } }

    /// The server's tools as last listed (a refresh starts in the background when the list is stale).
    public var tools: [AgentTool] {
        let nowMs = clock.nowMs
        let (tools, stale) = state.withLock { state -> ([AgentTool], Bool) in
            let age = state.listedAtMs.map { nowMs - $0 } ?? .max
            return (state.tools, state.up && !state.listing && age > Int64(listTTLms))
        }
        if stale { listTools() }
        return tools
    }

    /// `/health`'s view: up with its tools, or why not.
    public var status: (up: Bool, message: String) {
        state.withLock { state in
            if state.up && state.listedAtMs == nil { return (false, "connected, listing its tools") }
            return state.up
                ? (true, "\(state.tools.count) tools, protocol \(state.version ?? "?")")
                : (false, "unreachable: \(state.lastError ?? "connecting")")
        }
    }

    // MARK: Session

    private func connect() {
        let begin = state.withLock { state -> Bool in
            guard !state.connecting, !state.stopped else { return false }
            state.connecting = true
            state.sessionID = nil
            return true
        }
        guard begin else { return }
        let params: JSONValue = .object(JSONObject([
            ("protocolVersion", .string(MCPServerConnection.supportedVersions[0])), ("capabilities", .object(JSONObject([]))),
            ("clientInfo", .object(JSONObject([("name", "agentd"), ("version", "1")]))),
        ]))
        post(JSONRPC.request(id: 0, method: "initialize", params: params), method: "initialize", session: false) { [self] answer in
            switch answer {
            case .failure(let problem):
                failed(problem)
            case .success(let reply):
                guard let result = reply.result(id: 0) else {
                    failed(reply.problem(id: 0) ?? "no answer to initialize (HTTP \(reply.status))")
                    return
                }
                let version = result["protocolVersion"]?.stringValue ?? ""
                guard MCPServerConnection.supportedVersions.contains(version) else {
                    failed("the server speaks protocol \(version), not one of \(MCPServerConnection.supportedVersions.joined(separator: ", "))")
                    return
                }
                state.withLock { state in
                    state.sessionID = reply.sessionID
                    state.version = version
                }
                post(JSONRPC.notification(method: "notifications/initialized"), method: "notifications/initialized", session: true) { [self] _ in
                    let wasDown = state.withLock { state -> Bool in
                        defer {
                            state.up = true
                            state.connecting = false
                            state.failures = 0
                        }
                        return !state.up
                    }
                    if wasDown { logger.log(.info, "mcp server connected", ["server": .string(settings.name), "protocol": .string(version)]) }
                    listTools()
                    listen()
                }
            }
        }
    }

    private func failed(_ problem: String) {
        let (delayMs, first) = state.withLock { state -> (Int, Bool) in
            state.connecting = false
            state.up = false
            state.tools = []
            let first = state.lastError == nil || state.failures == 0
            state.lastError = problem
            state.failures += 1
            return (min(30_000, 500 << min(state.failures - 1, 6)), first)
        }
        if first { logger.log(.warning, "mcp server unreachable; retrying in the background", ["server": .string(settings.name), "error": .string(problem)]) }
        clock.schedule(afterMs: delayMs, on: queue) { [weak self] in self?.connect() }
    }

    /// Every page of `tools/list`, filtered by `allowed_tools`, replacing the list when complete.
    func listTools() {
        let begin = state.withLock { state -> Bool in
            guard !state.listing else { return false }
            state.listing = true
            return true
        }
        guard begin else { return }
        listPage(cursor: nil, found: [])
    }

    private func listPage(cursor: String?, found: [AgentTool]) {
        let id = nextID()
        let params: JSONValue? = cursor.map { .object(JSONObject([("cursor", .string($0))])) }
        post(JSONRPC.request(id: id, method: "tools/list", params: params), method: "tools/list", session: true) { [self] answer in
            guard case .success(let reply) = answer, let result = reply.result(id: id) else {
                state.withLock { $0.listing = false }
                if case .success(let reply) = answer, reply.status == 404 { connect() }
                return
            }
            var tools = found
            for item in result["tools"]?.arrayValue ?? [] {
                guard let name = item["name"]?.stringValue, AgentTool.isValidName(name),
                    settings.allowedTools?.contains(name) ?? true
                else { continue }
                let schema = item["inputSchema"].flatMap { JSONSchema.problem(inSchema: $0) == nil ? $0 : nil }
                    ?? .object(JSONObject([("type", "object")]))
                tools.append(AgentTool(name: name, description: item["description"]?.stringValue, parameters: schema, kind: .mcp(server: MCPToolbox.key(settings))))
            }
            if let next = result["nextCursor"]?.stringValue, !next.isEmpty, tools.count < 10_000 {
                listPage(cursor: next, found: tools)
                return
            }
            let nowMs = clock.nowMs
            state.withLock { state in
                state.tools = tools
                state.listing = false
                state.listedAtMs = nowMs
            }
        }
    }

    private func nextID() -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    // MARK: Calls

    /// `tools/call`: the text of its content as the result; `isError` and JSON-RPC errors as error results.
    public func call(
        _ name: String, arguments: [UInt8], context: ToolCallContext, retried: Bool = false,
        completion: @escaping @Sendable (ToolCallResult) -> Void
    ) -> ToolCallHandle {
        guard let parsed = try? JSONValue.parse(arguments) else {
            completion(ToolCallResult(outcome: .invalid, content: "error: the arguments are not valid JSON"))
            return ToolCallHandle {}
        }
        guard state.withLock({ $0.up }) else {
            completion(ToolCallResult(outcome: .error, content: "error: the MCP server \(settings.name) is unreachable"))
            return ToolCallHandle {}
        }
        let id = nextID()
        let params: JSONValue = .object(JSONObject([("name", .string(name)), ("arguments", parsed)]))
        let handle = Locked<ToolCallHandle?>(nil)
        let first = post(
            JSONRPC.request(id: id, method: "tools/call", params: params), method: "tools/call", target: name, session: true, context: context
        ) { [self] answer in
            switch answer {
            case .failure(let problem):
                let timedOut = problem.hasPrefix("timed out")
                completion(ToolCallResult(outcome: timedOut ? .timeout : .error, content: "error: \(problem)"))
            case .success(let reply) where reply.status == 404 && !retried:
                // The session is gone (the server restarted, or expired it): a new one, then the call again.
                logger.log(.info, "mcp session expired; initializing again", ["server": .string(settings.name)])
                connect()
                waitUntilUp(deadlineMs: settings.timeoutMs) { [self] up in
                    guard up else {
                        completion(ToolCallResult(outcome: .error, content: "error: the MCP server \(settings.name) lost the session and did not take a new one"))
                        return
                    }
                    let again = call(name, arguments: arguments, context: context, retried: true, completion: completion)
                    handle.withLock { $0 = again }
                }
            case .success(let reply):
                completion(MCPServerConnection.toolResult(reply, id: id))
            }
        }
        handle.withLock { $0 = first }
        return ToolCallHandle { handle.withLock { $0 }?.cancel() }
    }

    /// Polls until a new session is up (`done(true)`) or `deadlineMs` passes (`done(false)`).
    private func waitUntilUp(deadlineMs: Int, _ done: @escaping @Sendable (Bool) -> Void) {
        pollUntilUp(deadlineMs: clock.nowMs + Int64(deadlineMs), done)
    }

    private func pollUntilUp(deadlineMs: Int64, _ done: @escaping @Sendable (Bool) -> Void) {
        clock.schedule(afterMs: 20, on: queue) { [self] in
            let up = state.withLock { $0.up && !$0.connecting }
            if up { return done(true) }
            if clock.nowMs >= deadlineMs { return done(false) }
            pollUntilUp(deadlineMs: deadlineMs, done)
        }
    }

    static func toolResult(_ reply: MCPReply, id: Int) -> ToolCallResult {
        if let problem = reply.problem(id: id) { return ToolCallResult(outcome: .error, content: "error: \(problem)") }
        guard let result = reply.result(id: id) else {
            return ToolCallResult(outcome: .error, content: "error: the MCP server sent no result (HTTP \(reply.status))")
        }
        var parts: [String] = []
        for item in result["content"]?.arrayValue ?? [] {
            switch item["type"]?.stringValue {
            case "text": parts.append(item["text"]?.stringValue ?? "")
            case let other?: parts.append("[\(other) content]")
            case nil: continue
            }
        }
        if parts.isEmpty, let structured = result["structuredContent"] { parts.append(String(decoding: structured.serialized(), as: UTF8.self)) }
        let text = parts.joined(separator: "\n")
        if result["isError"]?.boolValue == true { return ToolCallResult(outcome: .error, content: "error: " + text) }
        return ToolCallResult(outcome: .success, content: text)
    }
}
