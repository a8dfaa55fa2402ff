import Foundation
import HTTP
import JSON
import LLM
import Locks
import Logging
import Resilience
import Server
@testable import agentd

/// The two levels a route test runs at (Hummingbird's two-level tests, STYLE.md): agentd's router driven
/// in-process (no socket, no process: `Responder(recording:)` takes the answer), and a live agentd process over a
/// socket. The same test body runs at both; the in-process level is fast and covers the route's behaviour, the
/// live one proves the wiring (the server's own headers, framing, the process).
enum Level: String, CustomStringConvertible, Sendable, CaseIterable {
    case inProcess = "in-process"
    case live

    var description: String { rawValue }
}

/// An agentd a test talks to, at either level, with one way to send a request.
final class AgentdUnderTest: @unchecked Sendable {
    private let router: Router?
    /// The in-process level's app (its task store, opened on a data directory of its own) and transfer engines
    /// (their threads), shut down by `stop`.
    private let app: AgentApp?
    private let engines: TransferEnginePool?
    private let dataDirectory: String?
    private let process: AgentdProcess?
    private let counter = Locked(0)

    /// Starts agentd with `environment` at `level`: a process as `AgentdProcess.serve` starts it, or its app as
    /// `agentd serve` builds it (`AgentCore.build`, the task store opened), from the same configuration; each level
    /// gets a task journal directory of its own unless `environment` names one. `clock`: the in-process level's
    /// time (a `ManualClock` lets a test skip a cool-down or a TTL); the live level runs on the system's.
    static func start(
        _ level: Level, _ environment: [String: String] = [:], clock: any TimeSource = SystemClock()
    ) async throws -> AgentdUnderTest {
        switch level {
        case .live:
            return AgentdUnderTest(app: nil, engines: nil, dataDirectory: nil, process: try await AgentdProcess.serve(environment))
        case .inProcess:
            let directory = environment["AGENTD_DATA_DIR"] == nil ? AgentdProcess.temporaryDataDirectory() : nil
            var settings = ["AGENTD_LOG_LEVEL": "error"]
            if let directory { settings["AGENTD_DATA_DIR"] = directory }
            settings.merge(environment) { $1 }
            let configuration = try Configuration.load(from: settings)
            let engines = try TransferEnginePool(count: 1)
            let lifecycle = Lifecycle()
            let app = try AgentCore.build(
                configuration: configuration, lifecycle: lifecycle, engines: engines, logger: Logger(minimumLevel: .error, sink: MemoryLogSink()),
                clock: clock
            )
            app.openTasks()
            lifecycle.enter(.serving)
            return AgentdUnderTest(app: app, engines: engines, dataDirectory: directory, process: nil)
        }
    }

    private init(app: AgentApp?, engines: TransferEnginePool?, dataDirectory: String?, process: AgentdProcess?) {
        self.app = app
        router = app?.router
        self.engines = engines
        self.dataDirectory = dataDirectory
        self.process = process
    }

    /// The live level's port (nil in-process), for what only a socket can do.
    var port: Int? { process?.port }

    func stop() {
        process?.kill()
        _ = app?.tasks.shutdown(graceMs: 0)
        engines?.shutdown()
        if let dataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }

    /// Sends one request and returns the answer as the live level's client reads it: a streamed body chunked as on
    /// the wire (so `ChatRoutesTests.dechunk` reads both), `X-Request-ID` on every answer.
    func send(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [], timeoutMs: Int = 5000
    ) throws -> HTTPTestResponse {
        if let process {
            return try HTTPTestClient.send(method, path, port: process.port, headers: headers, body: body, timeoutMs: timeoutMs)
        }
        guard let router else { preconditionFailure("neither a router nor a process") }
        // The head goes through the server's own parser, as bytes from a socket would.
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        var parser = HTTPRequestHeadParser()
        guard case .complete(let head, _) = parser.parse(Array(text.utf8)) else {
            throw HTTPTestClientError.system(call: "parse the request head", errno: 0)
        }
        let id = headers.first { $0.0.lowercased() == "x-request-id" }?.1
            ?? "req_in_process_\(counter.withLock { count -> Int in count += 1; return count })"
        let recorder = ExchangeRecorder()
        router.handle(HTTPRequest(head: head, body: body, id: id, remoteAddress: "127.0.0.1"), responder: Responder(recording: recorder))
        guard let answer = recorder.wait(timeoutMs: timeoutMs) else {
            throw HTTPTestClientError.system(call: "wait for the in-process answer", errno: ETIMEDOUT)
        }
        var fields = answer.headers.map { (name: $0.name, value: $0.value) }
        if !answer.headers.contains("X-Request-ID") { fields.append(("X-Request-ID", id)) }
        var bytes = answer.body
        if answer.streamed {
            fields.append(("Transfer-Encoding", "chunked"))
            bytes = answer.body.isEmpty ? [] : Array(String(answer.body.count, radix: 16).utf8) + [13, 10] + answer.body + [13, 10]
            bytes += Array("0\r\n\r\n".utf8)
        } else {
            fields.append(("Content-Length", String(answer.body.count)))
        }
        return HTTPTestResponse(status: Int(answer.status.code), headers: fields, body: bytes)
    }

    func post(_ path: String, _ json: String, headers: [(String, String)] = [("Content-Type", "application/json")]) throws -> HTTPTestResponse {
        try send("POST", path, headers: headers, body: Array(json.utf8))
    }
}
