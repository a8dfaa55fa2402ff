import Foundation
import JSON
import MockLLMSupport
import Security
import Testing

/// What "a 202 means the task is on disk" must hold through: kill -9, a restart on the same journal, a data
/// directory that cannot be written; and the webhook of a finished task.
@Suite("task durability and webhooks", .serialized)
struct TaskDurabilityTests {
    /// Submits from several threads until told to stop; collects the ids of the tasks acknowledged with 202.
    final class Submitter: @unchecked Sendable {
        private let lock = NSLock()
        private var acknowledged: [String] = []
        private var stopped = false
        private let threads = 8

        func run(port: Int, group: DispatchGroup) { run(ports: [port], group: group) }

        /// Each thread sends its submissions to `ports` in turn (round robin, as a Service spreads them).
        func run(ports: [Int], group: DispatchGroup) {
            for thread in 0..<threads {
                group.enter()
                Thread { [self] in
                    defer { group.leave() }
                    // Bounded: a few hundred submissions per thread at most.
                    for index in 0..<400 {
                        if lock.withLock({ stopped }) { return }
                        let body = #"{"message":"burst \#(thread)-\#(index)","model":"mock:echo"}"#
                        guard let response = try? TaskRoutesTests.submit(body, port: ports[(thread + index) % ports.count]) else { return }
                        if response.status == 202, let id = try? JSONValue.parse(response.body)["task_id"]?.stringValue {
                            lock.withLock { acknowledged.append(id) }
                        }
                    }
                }.start()
            }
        }

        func stop() { lock.withLock { stopped = true } }
        var ids: [String] { lock.withLock { acknowledged } }
    }

    @Test("kill -9 during a burst of submissions loses no acknowledged task: after a restart each exists and completes", arguments: 1...3)
    func killNineLosesNothing(round: Int) async throws {
        let directory = AgentdProcess.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = ["AGENTD_DATA_DIR": directory, "AGENTD_TASK_QUEUE_MAX": "100000", "AGENTD_RATE_LIMIT_RPS": "0"]
        let first = try await AgentdProcess.serve(settings)
        #expect(try await TaskRoutesTests.waitUntilReady(first))
        let submitter = Submitter(), group = DispatchGroup()
        submitter.run(port: first.port, group: group)
        // A random moment within the burst.
        try await Task.sleep(for: .milliseconds(Int.random(in: 150...600)))
        first.signal(SIGKILL)
        submitter.stop()
        _ = group.wait(timeout: .now() + 10)
        #expect(await first.waitForExit(timeout: .seconds(5)) == .signalled(SIGKILL))
        let acknowledged = submitter.ids
        #expect(acknowledged.count > 0, "round \(round): nothing was acknowledged before the kill")
        let second = try await AgentdProcess.serve(settings)
        defer { second.kill() }
        #expect(try await TaskRoutesTests.waitUntilReady(second))
        var missing: [String] = [], unfinished: [String] = []
        for id in acknowledged {
            let response = try TaskRoutesTests.get("/tasks/\(id)", port: second.port)
            guard response.status == 200 else {
                missing.append(id)
                continue
            }
            let record = try await TaskRoutesTests.waitUntilFinished(id, port: second.port, timeout: .seconds(30))
            if record?["status"] != "completed" { unfinished.append(id) }
        }
        #expect(missing.isEmpty, "round \(round): \(missing.count) of \(acknowledged.count) acknowledged tasks lost")
        #expect(unfinished.isEmpty, "round \(round): \(unfinished.count) did not complete")
    }

    @Test("SIGTERM with a task still running past the grace period: exit 0, and after the restart it runs again (attempts 2)")
    func shutdownRequeuesRunningTasks() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let directory = AgentdProcess.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = [
            "AGENTD_DATA_DIR": directory, "AGENTD_SHUTDOWN_GRACE_S": "1",
            "AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1",
        ]
        let first = try await AgentdProcess.serve(settings)
        #expect(try await TaskRoutesTests.waitUntilReady(first))
        let body = #"{"message":"\#(String(repeating: "w ", count: 30))","model":"up:m?chunks=30&chunk_delay_ms=100"}"#
        let id = try #require(try JSONValue.parse(TaskRoutesTests.submit(body, port: first.port).body)["task_id"]?.stringValue)
        var running = false
        for _ in 0..<200 where !running {
            running = try JSONValue.parse(TaskRoutesTests.get("/tasks/\(id)", port: first.port).body)["status"] == "running"
            if !running { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(running)
        first.signal(SIGTERM)
        #expect(await first.waitForExit(timeout: .seconds(10)) == .exited(0))
        let second = try await AgentdProcess.serve(settings)
        defer { second.kill() }
        #expect(try await TaskRoutesTests.waitUntilReady(second))
        let record = try #require(try await TaskRoutesTests.waitUntilFinished(id, port: second.port, timeout: .seconds(20)))
        #expect(record["status"] == "completed")
        #expect(record["attempts"] == 2)
    }

    @Test("a full queue answers 503 with Retry-After and acknowledges nothing more")
    func fullQueue() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let agentd = try await AgentdProcess.serve([
            "AGENTD_TASK_WORKERS": "1", "AGENTD_TASK_QUEUE_MAX": "2", "AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1",
        ])
        defer { agentd.kill() }
        #expect(try await TaskRoutesTests.waitUntilReady(agentd))
        let slow = #"{"message":"w w w w w w w w w w","model":"up:m?chunks=10&chunk_delay_ms=300"}"#
        var statuses: [Int] = []
        for _ in 0..<4 {
            statuses.append(try TaskRoutesTests.submit(slow, port: agentd.port).status)
            // The first leaves the queue for the worker before the others arrive.
            if statuses.count == 1 {
                for _ in 0..<200 {
                    if try JSONValue.parse(TaskRoutesTests.get("/tasks?status=running", port: agentd.port).body)["count"] == 1 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
        }
        #expect(statuses == [202, 202, 202, 503])
        let refused = try TaskRoutesTests.submit(slow, port: agentd.port)
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(try JSONValue.parse(refused.body)["error"]?["message"]?.stringValue?.contains("queue is full") == true)
        #expect(try JSONValue.parse(TaskRoutesTests.get("/tasks", port: agentd.port).body)["count"] == 3)
        let metrics = try TaskRoutesTests.get("/metrics", port: agentd.port).bodyText
        #expect(metrics.contains("agentd_task_queue_depth 2"))
    }

    @Test("a journal that became read-only: its tasks stay readable, readiness fails and POST /tasks answers 503")
    func readOnlyJournal() async throws {
        let directory = AgentdProcess.temporaryDataDirectory()
        defer {
            Self.makeWritable(directory)
            try? FileManager.default.removeItem(atPath: directory)
        }
        let first = try await AgentdProcess.serve(["AGENTD_DATA_DIR": directory])
        #expect(try await TaskRoutesTests.waitUntilReady(first))
        let id = try #require(try JSONValue.parse(TaskRoutesTests.submit(#"{"message":"keep me"}"#, port: first.port).body)["task_id"]?.stringValue)
        _ = try await TaskRoutesTests.waitUntilFinished(id, port: first.port)
        first.signal(SIGTERM)
        #expect(await first.waitForExit(timeout: .seconds(10)) == .exited(0))
        guard Self.makeReadOnly(directory) else {
            Issue.record("cannot make \(directory) read-only here (neither chmod nor chattr +i stops writes)")
            return
        }
        let second = try await AgentdProcess.serve(["AGENTD_DATA_DIR": directory])
        defer { second.kill() }
        var ready = try TaskRoutesTests.get("/health/ready", port: second.port)
        for _ in 0..<200 where ready.bodyText.contains("replaying") {
            try await Task.sleep(for: .milliseconds(10))
            ready = try TaskRoutesTests.get("/health/ready", port: second.port)
        }
        #expect(ready.status == 503)
        #expect(ready.bodyText.contains("cannot be written"))
        #expect(try TaskRoutesTests.get("/tasks/\(id)", port: second.port).status == 200)
        #expect(try TaskRoutesTests.submit(#"{"message":"refused"}"#, port: second.port).status == 503)
        #expect(try JSONValue.parse(TaskRoutesTests.get("/tasks", port: second.port).body)["count"] == 1)
    }

    /// Makes the directory and its files unwritable: chmod for an ordinary user, `chattr +i` for root (whom
    /// permissions do not stop). Checked by trying to write.
    static func makeReadOnly(_ directory: String) -> Bool {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).map { directory + "/" + $0 }
        if getuid() == 0 {
            for path in files + [directory] { run("/usr/bin/chattr", ["+i", path]) }
        } else {
            for path in files { chmod(path, 0o400) }
            chmod(directory, 0o500)
        }
        let probe = open(directory + "/tasks.journal", O_WRONLY | O_APPEND)
        if probe >= 0 { close(probe) }
        return probe < 0
    }

    static func makeWritable(_ directory: String) {
        if getuid() == 0 {
            run("/usr/bin/chattr", ["-i", directory])
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                run("/usr/bin/chattr", ["-i", directory + "/" + name])
            }
        } else {
            chmod(directory, 0o700)
        }
    }

    static func run(_ executable: String, _ arguments: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        process.waitUntilExit()
    }

    @Test("a data directory that cannot be written: readiness fails, POST /tasks answers 503, chat still works")
    func unwritableDataDirectory() async throws {
        // A path under a regular file can never become a directory, not even for root (chmod does not stop root).
        let file = NSTemporaryDirectory() + "agentd-not-a-directory-\(UUID().uuidString)"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let agentd = try await AgentdProcess.serve(["AGENTD_DATA_DIR": file + "/data"])
        defer { agentd.kill() }
        var ready = try TaskRoutesTests.get("/health/ready", port: agentd.port)
        for _ in 0..<200 where ready.status == 503 && ready.bodyText.contains("replaying") {
            try await Task.sleep(for: .milliseconds(10))
            ready = try TaskRoutesTests.get("/health/ready", port: agentd.port)
        }
        #expect(ready.status == 503)
        #expect(ready.bodyText.contains("task journal"))
        let refused = try TaskRoutesTests.submit(#"{"message":"hello"}"#, port: agentd.port)
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(try JSONValue.parse(refused.body)["error"]?["type"] == "unavailable")
        #expect(try ChatRoutesTests.post("/chat", #"{"message":"still here"}"#, port: agentd.port).status == 200)
        #expect(try TaskRoutesTests.get("/health/live", port: agentd.port).status == 200)
    }

    @Test("a finished task is POSTed to its callback_url, signed with AGENTD_WEBHOOK_SECRET, retried after a 503")
    func webhookDelivered() async throws {
        let receiver = try WebhookReceiver(failFirst: 1)
        defer { receiver.stop() }
        let secret = "whsec-test"
        let agentd = try await AgentdProcess.serve(["AGENTD_WEBHOOK_SECRET": secret])
        defer { agentd.kill() }
        #expect(try await TaskRoutesTests.waitUntilReady(agentd))
        let url = "http://127.0.0.1:\(receiver.port)/hooks/agentd"
        let response = try TaskRoutesTests.submit(#"{"message":"call me back","callback_url":"\#(url)"}"#, port: agentd.port)
        #expect(response.status == 202)
        let id = try #require(try JSONValue.parse(response.body)["task_id"]?.stringValue)
        var delivered: JSONValue?
        for _ in 0..<500 {
            let record = try JSONValue.parse(TaskRoutesTests.get("/tasks/\(id)", port: agentd.port).body)
            if record["webhook"]?["state"] == "delivered" {
                delivered = record
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let record = try #require(delivered, "webhook not delivered: \(receiver.requests.count) requests received")
        #expect(record["webhook"]?["attempts"] == 2)
        let requests = receiver.requests
        #expect(requests.count == 2)
        let last = try #require(requests.last)
        let sent = try JSONValue.parse(last.body)
        #expect(sent["task_id"]?.stringValue == id)
        #expect(sent["status"] == "completed")
        let signature = try #require(last.headers["x-agentd-signature"])
        #expect(signature == "sha256=" + Self.hmacSHA256Hex(key: secret, message: last.body))
        #expect(!(agentd.standardOutput.text + agentd.standardError.text).contains(secret))
    }

    /// The expected signature, by the HMAC-SHA256 that the RFC 4231 vectors check (SecurityTests).
    static func hmacSHA256Hex(key: String, message: [UInt8]) -> String {
        SHA256.hex(HMACSHA256.authenticationCode(key: Array(key.utf8), message: message))
    }
}
