import Foundation
import JSON
import MockLLMSupport
import RedisSupport
import Testing

/// The task routes end to end: submission, reading, listing, idempotency, cancellation, events.
@Suite("tasks", .serialized)
struct TaskRoutesTests {
    static let json = ("Content-Type", "application/json")

    static func submit(_ body: String, port: Int, headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try HTTPTestClient.send("POST", "/tasks", port: port, headers: [json] + headers, body: Array(body.utf8), timeoutMs: 5000)
    }

    static func get(_ path: String, port: Int) throws -> HTTPTestResponse {
        try HTTPTestClient.send("GET", path, port: port, timeoutMs: 5000)
    }

    /// Polls the task until its status is final (bounded); returns its last record.
    static func waitUntilFinished(_ id: String, port: Int, timeout: Duration = .seconds(20)) async throws -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let response = try get("/tasks/\(id)", port: port)
            if response.status == 200, let record = try? JSONValue.parse(response.body),
                let status = record["status"]?.stringValue, ["completed", "failed", "cancelled"].contains(status) {
                return record
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// A GET on its own thread (the client blocks), for a stream read while the test goes on.
    final class BackgroundFetch: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var result: HTTPTestResponse?

        init(_ path: String, port: Int) {
            Thread { [self] in
                let response = try? HTTPTestClient.send("GET", path, port: port, timeoutMs: 20_000)
                lock.withLock { result = response }
                done.signal()
            }.start()
        }

        func wait(seconds: Int) -> Bool { done.wait(timeout: .now() + .seconds(seconds)) == .success }
        var response: HTTPTestResponse? { lock.withLock { result } }
    }

    static func fetchInBackground(_ path: String, port: Int) -> BackgroundFetch { BackgroundFetch(path, port: port) }

    /// Waits until readiness says 200 (the journal is replayed).
    static func submit(_ body: String, to agentd: AgentdUnderTest, headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try agentd.send("POST", "/tasks", headers: [json] + headers, body: Array(body.utf8))
    }

    /// Polls the task until its status is final (bounded); returns its last record.
    static func waitUntilFinished(_ id: String, on agentd: AgentdUnderTest, timeout: Duration = .seconds(20)) async throws -> JSONValue? {
        var last: JSONValue?
        let finished = try await waitUntil(timeout) {
            let response = try agentd.send("GET", "/tasks/\(id)")
            last = response.status == 200 ? try? JSONValue.parse(response.body) : nil
            return ["completed", "failed", "cancelled"].contains(last?["status"]?.stringValue ?? "")
        }
        return finished ? last : nil
    }

    static func waitUntilReady(_ agentd: AgentdUnderTest) async throws -> Bool {
        try await waitUntil(.seconds(10), interval: .milliseconds(25)) { try agentd.send("GET", "/health/ready").status == 200 }
    }

    static func waitUntilReady(_ agentd: AgentdProcess) async throws -> Bool {
        for _ in 0..<400 {
            if try get("/health/ready", port: agentd.port).status == 200 { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    @Test("POST /tasks answers 202 with Location and status_url, and the task runs to completion", arguments: Level.allCases)
    func submitAndComplete(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level)
        defer { agentd.stop() }
        #expect(try await Self.waitUntilReady(agentd))
        let response = try Self.submit(#"{"message":"hello task","model":"mock:echo"}"#, to: agentd)
        #expect(response.status == 202)
        let body = try JSONValue.parse(response.body)
        let id = try #require(body["task_id"]?.stringValue)
        #expect(id.hasPrefix("task_"))
        #expect(body["status"] == "pending")
        #expect(body["status_url"]?.stringValue == "/tasks/\(id)")
        #expect(response.header("Location") == "/tasks/\(id)")
        let record = try #require(try await Self.waitUntilFinished(id, on: agentd))
        #expect(record["status"] == "completed")
        #expect(record["input_message"] == "hello task")
        #expect(record["model"] == "mock:echo")
        #expect(record["result"]?.stringValue?.isEmpty == false)
        #expect(record["attempts"] == 1)
        #expect((record["tokens_used"]?.intValue ?? 0) > 0)
        for field in ["created_at", "started_at", "completed_at"] {
            #expect(record[field]?.stringValue?.hasSuffix("Z") == true, "\(field) in RFC 3339 UTC")
        }
        let metrics = try agentd.send("GET", "/metrics").bodyText
        #expect(metrics.contains(#"agentd_tasks_finished_total{status="completed"} 1"#))
        #expect(metrics.contains(#"agentd_tasks{status="completed"} 1"#))
        #expect(metrics.contains("agentd_task_queue_depth 0"))
        let health = try JSONValue.parse(agentd.send("GET", "/health").body)
        let store = health["components"]?.arrayValue?.first { $0["name"] == "task_store" }
        #expect(store?["status"] == "healthy")
    }

    @Test("bad submissions are 400s naming the field; unknown tasks are 404s", arguments: Level.allCases)
    func badInput(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level)
        defer { agentd.stop() }
        #expect(try await Self.waitUntilReady(agentd))
        let cases: [(String, String)] = [
            (#"{}"#, "message"), (#"{"message":""}"#, "message"), (#"{"message":5}"#, "message"),
            (#"{"message":"x","callback_url":"ftp://example.com/hook"}"#, "callback_url"),
            (#"{"message":"x","callback_url":"http://user:pw@example.com/hook"}"#, "callback_url"),
            (#"{"message":"x","model":"nope:model"}"#, "model"), (#"{"message":"x","agent":"nobody"}"#, "agent"),
            (#"{"message":"x","max_tokens":0}"#, "max_tokens"), (#"not json"#, "JSON"),
        ]
        for (body, field) in cases {
            let response = try Self.submit(body, to: agentd)
            #expect(response.status == 400, "\(body)")
            let error = try JSONValue.parse(response.body)["error"]
            #expect(error?["type"] == "invalid_request", "\(body)")
            #expect(error?["message"]?.stringValue?.contains(field) == true, "\(body): \(response.bodyText)")
        }
        let badKey = try Self.submit(#"{"message":"x"}"#, to: agentd, headers: [("Idempotency-Key", String(repeating: "k", count: 256))])
        #expect(badKey.status == 400)
        #expect(try agentd.send("GET", "/tasks/task_000000000000000000000000").status == 404)
        #expect(try agentd.send("DELETE", "/tasks/task_000000000000000000000000").status == 404)
        #expect(try agentd.send("GET", "/tasks/task_000000000000000000000000/events").status == 404)
        #expect(try agentd.send("GET", "/tasks?status=done").status == 400)
        #expect(try agentd.send("GET", "/tasks?limit=0").status == 400)
        #expect(try agentd.send("GET", "/tasks?limit=101").status == 400)
        #expect(try JSONValue.parse(agentd.send("GET", "/tasks").body)["tasks"]?.arrayValue?.isEmpty == true)
    }

    @Test("the same Idempotency-Key gives the same task with 200; listing is newest first, filtered and limited", arguments: Level.allCases)
    func idempotencyAndListing(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level)
        defer { agentd.stop() }
        #expect(try await Self.waitUntilReady(agentd))
        let first = try Self.submit(#"{"message":"once"}"#, to: agentd, headers: [("Idempotency-Key", "order-42")])
        #expect(first.status == 202)
        let again = try Self.submit(#"{"message":"once"}"#, to: agentd, headers: [("Idempotency-Key", "order-42")])
        #expect(again.status == 200)
        let id = try JSONValue.parse(first.body)["task_id"]
        #expect(try JSONValue.parse(again.body)["task_id"] == id)
        var ids: [JSONValue] = [try #require(id)]
        for index in 0..<3 {
            let response = try Self.submit(#"{"message":"task \#(index)"}"#, to: agentd)
            #expect(response.status == 202)
            ids.append(try #require(try JSONValue.parse(response.body)["task_id"]))
            try await Task.sleep(for: .milliseconds(5))
        }
        for taskID in ids { _ = try await Self.waitUntilFinished(try #require(taskID.stringValue), on: agentd) }
        let listed = try JSONValue.parse(agentd.send("GET", "/tasks").body)["tasks"]?.arrayValue?.map { $0["task_id"] }
        #expect(listed == ids.reversed().map { Optional($0) })
        let two = try JSONValue.parse(agentd.send("GET", "/tasks?limit=2&status=completed").body)["tasks"]?.arrayValue
        #expect(two?.count == 2)
        #expect(try JSONValue.parse(agentd.send("GET", "/tasks?status=pending").body)["tasks"]?.arrayValue?.isEmpty == true)
    }

    @Test("DELETE cancels a running task (its upstream call stops) and deletes it; its events end with `cancelled`")
    func cancelRunning() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let agentd = try await AgentdProcess.serve(["AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1"])
        defer { agentd.kill() }
        #expect(try await Self.waitUntilReady(agentd))
        let words = String(repeating: "w ", count: 100)
        let response = try Self.submit(#"{"message":"\#(words)","model":"up:m?chunks=100&chunk_delay_ms=50"}"#, port: agentd.port)
        let id = try #require(try JSONValue.parse(response.body)["task_id"]?.stringValue)
        // Follow it while it runs.
        let events = Self.fetchInBackground("/tasks/\(id)/events", port: agentd.port)
        var running = false
        for _ in 0..<200 where !running {
            running = try JSONValue.parse(Self.get("/tasks/\(id)", port: agentd.port).body)["status"] == "running"
            if !running { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(running)
        // Some text has streamed (a second follower sees it) before the task is cancelled.
        #expect(try HTTPTestClient.readUntil("event: text\n", get: "/tasks/\(id)/events", port: agentd.port))
        let deleted = try HTTPTestClient.send("DELETE", "/tasks/\(id)", port: agentd.port)
        #expect(deleted.status == 200)
        #expect(try JSONValue.parse(deleted.body)["status"] == "cancelled")
        #expect(try Self.get("/tasks/\(id)", port: agentd.port).status == 404)
        #expect(events.wait(seconds: 20))
        let stream = try #require(events.response)
        #expect(stream.status == 200)
        #expect(stream.header("Content-Type") == "text/event-stream")
        let text = String(decoding: ChatRoutesTests.dechunk(stream.body), as: UTF8.self)
        #expect(text.hasPrefix("event: status\ndata: {\"task_id\":\"\(id)\""))
        #expect(text.contains("event: text\n"))
        #expect(text.contains("\"status\":\"cancelled\""))
        // The upstream saw its stream abandoned well before its 100 chunks.
        #expect(try await mock.waitForStats { ($0["streams_cancelled"] as? Int) == 1 && ($0["streams_completed"] as? Int) == 0 })
    }

    @Test("a client that follows a task late gets its state first, then the rest of the text and the end")
    func eventsFromTheStart() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let agentd = try await AgentdProcess.serve(["AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1"])
        defer { agentd.kill() }
        #expect(try await Self.waitUntilReady(agentd))
        let response = try Self.submit(#"{"message":"a b c d e f g h","model":"up:m?chunks=8&chunk_delay_ms=60"}"#, port: agentd.port)
        let id = try #require(try JSONValue.parse(response.body)["task_id"]?.stringValue)
        // Late: only once the task has streamed some of its text (another follower sees it) does this one connect.
        #expect(try HTTPTestClient.readUntil("event: text\n", get: "/tasks/\(id)/events", port: agentd.port))
        let stream = try HTTPTestClient.send("GET", "/tasks/\(id)/events", port: agentd.port, timeoutMs: 20_000)
        let text = String(decoding: ChatRoutesTests.dechunk(stream.body), as: UTF8.self)
        let blocks = text.components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix(":") }
        #expect(blocks.first?.hasPrefix("event: status\n") == true)
        #expect(blocks.last?.contains("\"status\":\"completed\"") == true)
        let streamed = blocks.filter { $0.hasPrefix("event: text\n") }.compactMap { block -> String? in
            guard let data = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { return nil }
            return (try? JSONValue.parse(String(data.dropFirst(6))))?["content"]?.stringValue
        }.joined()
        let record = try #require(try await Self.waitUntilFinished(id, port: agentd.port))
        #expect(streamed == record["result"]?.stringValue)
        // A finished task's events are its record alone.
        let after = String(decoding: ChatRoutesTests.dechunk(try Self.get("/tasks/\(id)/events", port: agentd.port).body), as: UTF8.self)
        #expect(after.components(separatedBy: "\n\n").filter { !$0.isEmpty }.count == 1)
    }

    @Test("with API keys, a key sees only its own tasks")
    func tasksBelongToTheirKey() async throws {
        let agentd = try await AgentdProcess.serve(["AGENTD_API_KEYS": "sk-one,sk-two"])
        defer { agentd.kill() }
        #expect(try await Self.waitUntilReady(agentd))
        let mine = try Self.submit(#"{"message":"mine"}"#, port: agentd.port, headers: [("Authorization", "Bearer sk-one")])
        #expect(mine.status == 202)
        let id = try #require(try JSONValue.parse(mine.body)["task_id"]?.stringValue)
        let own = try HTTPTestClient.send("GET", "/tasks/\(id)", port: agentd.port, headers: [("Authorization", "Bearer sk-one")])
        #expect(own.status == 200)
        let other = try HTTPTestClient.send("GET", "/tasks/\(id)", port: agentd.port, headers: [("Authorization", "Bearer sk-two")])
        #expect(other.status == 404)
        let otherList = try HTTPTestClient.send("GET", "/tasks", port: agentd.port, headers: [("Authorization", "Bearer sk-two")])
        #expect(try JSONValue.parse(otherList.body)["tasks"]?.arrayValue?.isEmpty == true)
        #expect(try HTTPTestClient.send("DELETE", "/tasks/\(id)", port: agentd.port, headers: [("Authorization", "Bearer sk-two")]).status == 404)
        #expect(try Self.get("/tasks/\(id)", port: agentd.port).status == 401)
    }
}
