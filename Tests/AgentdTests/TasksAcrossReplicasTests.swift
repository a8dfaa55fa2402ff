import Foundation
import JSON
import MockLLMSupport
import RedisSupport
import Testing

/// Tasks across replicas (README.md, "Tasks across replicas (Redis)"): N agentd processes on one real Redis (AOF on,
/// `appendfsync always`) act as one task service, through a dead replica, a stopped one and a dead Redis.
@Suite(.serialized) struct TasksAcrossReplicasTests {
    typealias Replicas = ReplicasOnRedisTests.Replicas

    static func durableRedis() throws -> RedisServerProcess { try RedisServerProcess(.init(appendOnly: true)) }

    static func submit(_ body: String, to replica: AgentdProcess, headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try TaskRoutesTests.submit(body, port: replica.port, headers: headers)
    }

    static func id(_ response: HTTPTestResponse) throws -> String {
        try #require(try JSONValue.parse(response.body)["task_id"]?.stringValue, "\(response.status) \(response.bodyText)")
    }

    static func record(_ id: String, on replica: AgentdProcess) throws -> JSONValue? {
        let response = try TaskRoutesTests.get("/tasks/\(id)", port: replica.port)
        return response.status == 200 ? try JSONValue.parse(response.body) : nil
    }

    /// Ten words: mock-llm's answer (`echo: ` and these) streams in ten pieces.
    static let tenWords = "one two three four five six seven eight nine ten"

    /// A model on mock-llm whose answer to `tenWords` streams for about `seconds` (ten pieces), counted under `scenario`.
    static func slowModel(seconds: Double, scenario: String) -> String {
        "up:m?chunks=10&chunk_delay_ms=\(Int(seconds * 100))&scenario=\(scenario)"
    }

    static func upstream(_ mock: MockLLMProcess) -> [String: String] {
        ["AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1"]
    }

    static func calls(_ mock: MockLLMProcess, scenario: String) throws -> Int {
        (try mock.stats()["requests_by_scenario"] as? [String: Any])?[scenario] as? Int ?? 0
    }

    static func metric(_ name: String, on replica: AgentdProcess) -> Double {
        guard let text = try? HTTPTestClient.send("GET", "/metrics", port: replica.port).bodyText else { return -1 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? -1
        }
        return -1
    }

    @Test func everyTaskIsReadListedFollowedAndCancelledFromEveryReplica() async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let replicas = try await Replicas(count: 3, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0",
        ].merging(Self.upstream(mock)) { $1 })
        #expect(await replicas.waitUntilConnected())
        var ids: [String] = []
        for index in 0..<9 {
            ids.append(try Self.id(try Self.submit(#"{"message":"task \#(index)","model":"mock:echo"}"#, to: replicas.pick())))
        }
        for id in ids {
            let record = try await TaskRoutesTests.waitUntilFinished(id, port: replicas.pick().port)
            #expect(record?["status"]?.stringValue == "completed", "\(id): \(String(describing: record))")
            for member in replicas.members {
                let response = try TaskRoutesTests.get("/tasks/\(id)", port: member.port)
                #expect(
                    response.status == 200 && (try? JSONValue.parse(response.body))?["status"]?.stringValue == "completed",
                    "\(id) read on another replica: \(response.status) \(response.bodyText)"
                )
            }
        }
        for member in replicas.members {
            let listing = try JSONValue.parse(try TaskRoutesTests.get("/tasks?limit=100", port: member.port).body)
            let listed = Set((listing["tasks"]?.arrayValue ?? []).compactMap { $0["task_id"]?.stringValue })
            #expect(listed == Set(ids), "every replica lists every task")
            let completed = try JSONValue.parse(try TaskRoutesTests.get("/tasks?status=completed&limit=3", port: member.port).body)
            #expect(completed["count"]?.intValue == 3)
        }
        // Idempotency is global: the same key on another replica is the same task.
        let first = try Self.submit(#"{"message":"once","model":"mock:echo"}"#, to: replicas.members[0], headers: [("Idempotency-Key", "k-1")])
        let again = try Self.submit(#"{"message":"once","model":"mock:echo"}"#, to: replicas.members[1], headers: [("Idempotency-Key", "k-1")])
        #expect(first.status == 202 && again.status == 200)
        #expect(try Self.id(first) == Self.id(again))

        // A running task followed from a replica that does not run it: its text, then its final record.
        let followed = try Self.id(try Self.submit(
            #"{"message":"one two three four five six seven eight nine ten","model":"\#(Self.slowModel(seconds: 1.5, scenario: "follow"))"}"#,
            to: replicas.members[0]
        ))
        #expect(await waitUntil(.seconds(5)) { (try? Self.record(followed, on: replicas.members[1]))??["status"]?.stringValue == "running" })
        for member in replicas.members {
            let stream = try HTTPTestClient.send("GET", "/tasks/\(followed)/events", port: member.port, timeoutMs: 10_000).bodyText
            #expect(stream.contains("\"status\":\"completed\""), "the stream ends with the final record: \(stream)")
            let texts = stream.split(separator: "\n").filter { $0.hasPrefix("data: {\"content\"") }
            let joined = texts.compactMap { line in try? JSONValue.parse(Array(line.dropFirst(6).utf8))["content"]?.stringValue }.joined()
            // The first follower joins mid-stream and gets the text so far first: each piece exactly once.
            if member === replicas.members[0] {
                #expect(joined == "echo: one two three four five six seven eight nine ten", "\(texts)")
            }
        }

        // DELETE from another replica stops the run where it runs, within a second.
        let cancelled = try Self.id(try Self.submit(
            #"{"message":"\#(Self.tenWords)","model":"\#(Self.slowModel(seconds: 20, scenario: "cancel"))"}"#, to: replicas.members[0]
        ))
        #expect(await waitUntil(.seconds(5)) { (try? Self.record(cancelled, on: replicas.members[2]))??["status"]?.stringValue == "running" })
        let deleted = try HTTPTestClient.send("DELETE", "/tasks/\(cancelled)", port: replicas.members[2].port)
        #expect(deleted.status == 200)
        #expect(try JSONValue.parse(deleted.body)["status"]?.stringValue == "cancelled")
        let stopped = await waitUntil(.seconds(1)) {
            replicas.members.contains { $0.standardOutput.text.contains("\"task run stopped\"") && $0.standardOutput.text.contains(cancelled) }
        }
        #expect(stopped, "the replica running it stopped the upstream call within a second")
        for member in replicas.members { #expect(try TaskRoutesTests.get("/tasks/\(cancelled)", port: member.port).status == 404) }
    }

    @Test func aReplicaKilledWhileRunningTasksLosesNoneAndNoneRunsTwiceOnceFinished() async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let replicas = try await Replicas(count: 3, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_TASK_LEASE_S": "2", "AGENTD_TASK_WORKERS": "2",
        ].merging(Self.upstream(mock)) { $1 })
        #expect(await replicas.waitUntilConnected())
        var ids: [String] = []
        for index in 0..<6 {
            let model = Self.slowModel(seconds: 2, scenario: "run-\(index)")
            ids.append(try Self.id(try Self.submit(#"{"message":"\#(Self.tenWords)","model":"\#(model)"}"#, to: replicas.pick())))
        }
        // Six tasks, two workers on each of three replicas: all run at once.
        #expect(await waitUntil(.seconds(5)) {
            ids.allSatisfy { (try? Self.record($0, on: replicas.members[1]))??["status"]?.stringValue == "running" }
        })
        let victim = replicas.members[0]
        victim.signal(SIGKILL)
        let startedNs = DispatchTime.now().uptimeNanoseconds
        var records: [JSONValue] = []
        for id in ids {
            let record = try await TaskRoutesTests.waitUntilFinished(id, port: replicas.members[1].port, timeout: .seconds(20))
            #expect(record?["status"]?.stringValue == "completed", "\(id): \(String(describing: record))")
            if let record { records.append(record) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - startedNs) / 1e9
        let rerun = records.filter { $0["attempts"]?.intValue == 2 }.count
        #expect(rerun >= 1, "the killed replica's tasks ran again elsewhere: \(records.map { $0["attempts"]?.intValue ?? 0 })")
        let takeovers = Self.metric("agentd_task_takeovers_total", on: replicas.members[1]) + Self.metric("agentd_task_takeovers_total", on: replicas.members[2])
        #expect(Int(takeovers) == rerun, "each rerun was a takeover (\(seconds) s after the kill)")
        // Finished and acknowledged: the queue is empty (no entry left to lapse), so nothing can run again.
        #expect(await waitUntil(.seconds(5)) { (try? redis.command(["XLEN", "agentd:tasks:queue"])) == "0" })
        #expect(try redis.command(["XPENDING", "agentd:tasks:queue", "workers"]).hasPrefix("0"))
        let calls = try (0..<6).map { try Self.calls(mock, scenario: "run-\($0)") }
        #expect(calls.reduce(0, +) == 6 + rerun, "\(calls)")
    }

    @Test func aStoppedReplicaHandsItsRunningTasksBackAtOnce() async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        // A 60 s lease: a task that completes within seconds was handed back, not taken over after a lapse.
        let replicas = try await Replicas(count: 2, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_TASK_LEASE_S": "60", "AGENTD_TASK_WORKERS": "2",
            "AGENTD_SHUTDOWN_GRACE_S": "1",
        ].merging(Self.upstream(mock)) { $1 })
        #expect(await replicas.waitUntilConnected())
        var ids: [String] = []
        for index in 0..<4 {
            let model = Self.slowModel(seconds: 3, scenario: "handback-\(index)")
            ids.append(try Self.id(try Self.submit(#"{"message":"\#(Self.tenWords)","model":"\#(model)"}"#, to: replicas.pick())))
        }
        #expect(await waitUntil(.seconds(5)) {
            ids.allSatisfy { (try? Self.record($0, on: replicas.members[1]))??["status"]?.stringValue == "running" }
        })
        replicas.members[0].signal(SIGTERM)
        let exit = await replicas.members[0].waitForExit(timeout: .seconds(5))
        #expect(exit == .exited(0), "\(replicas.members[0].standardError.text)")
        #expect(
            replicas.members[0].standardOutput.text.contains("\"unfinished tasks handed back to the queue\""),
            "\(replicas.members[0].standardError.text)"
        )
        for id in ids {
            let record = try await TaskRoutesTests.waitUntilFinished(id, port: replicas.members[1].port, timeout: .seconds(15))
            #expect(record?["status"]?.stringValue == "completed", "\(id): \(String(describing: record))")
        }
        #expect(Self.metric("agentd_task_takeovers_total", on: replicas.members[1]) == 0, "handed back, not taken over")
    }

    @Test("kill -9 of Redis during a burst of submissions: every task that got a 202 exists after the restart and completes", arguments: 1...3)
    func killNineOfRedisLosesNoAcknowledgedTask(round: Int) async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        // A task taken from the queue as Redis died is run again after its lease: a short one bounds the wait.
        let replicas = try await Replicas(count: 2, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_TASK_QUEUE_MAX": "100000", "AGENTD_TASK_LEASE_S": "3",
        ])
        #expect(await replicas.waitUntilConnected())
        let submitter = TaskDurabilityTests.Submitter(), group = DispatchGroup()
        submitter.run(ports: replicas.members.map(\.port), group: group)
        try await Task.sleep(for: .milliseconds(Int.random(in: 150...600)))
        redis.crash()
        // The replicas see Redis gone (503) before the burst stops.
        #expect(await waitUntil(.seconds(5)) { (try? Self.submit(#"{"message":"late","model":"mock:echo"}"#, to: replicas.pick()))?.status == 503 })
        submitter.stop()
        _ = group.wait(timeout: .now() + 10)
        let acknowledged = submitter.ids
        #expect(acknowledged.count > 0, "round \(round): nothing was acknowledged before the kill")
        try redis.restart()
        #expect(await replicas.waitUntilConnected(timeout: .seconds(10)))
        var missing: [String] = [], unfinished: [String] = []
        for id in acknowledged {
            guard try TaskRoutesTests.get("/tasks/\(id)", port: replicas.pick().port).status == 200 else {
                missing.append(id)
                continue
            }
            let record = try await TaskRoutesTests.waitUntilFinished(id, port: replicas.pick().port, timeout: .seconds(30))
            if record?["status"]?.stringValue != "completed" { unfinished.append(id) }
        }
        #expect(missing.isEmpty, "round \(round): \(missing.count) of \(acknowledged.count) acknowledged tasks lost")
        #expect(unfinished.isEmpty, "round \(round): \(unfinished.count) of \(acknowledged.count) did not complete")
    }

    @Test func redisDownAnswers503WithinTheTimeoutKeepsReadinessAndRecovers() async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        let replica = try await AgentdProcess.serve([
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_REDIS_TIMEOUT_MS": "200",
        ])
        defer { replica.kill() }
        #expect(await waitUntil(.seconds(5)) { (try? Self.submit(#"{"message":"up","model":"mock:echo"}"#, to: replica))?.status == 202 })
        redis.crash()
        let startedNs = DispatchTime.now().uptimeNanoseconds
        let refused = try Self.submit(#"{"message":"down","model":"mock:echo"}"#, to: replica)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - startedNs) / 1e6
        #expect(refused.status == 503 && refused.header("Retry-After") != nil, "\(refused.status) \(refused.bodyText)")
        #expect(ms < 1000, "answered in \(ms) ms")
        #expect(try TaskRoutesTests.get("/health/ready", port: replica.port).status == 200)
        #expect(try TaskRoutesTests.get("/tasks/task_000000000000000000000000", port: replica.port).status == 503)
        try redis.restart()
        let restartedNs = DispatchTime.now().uptimeNanoseconds
        #expect(await waitUntil(.seconds(5)) { (try? Self.submit(#"{"message":"back","model":"mock:echo"}"#, to: replica))?.status == 202 })
        let recovery = Double(DispatchTime.now().uptimeNanoseconds - restartedNs) / 1e9
        #expect(recovery < 5, "recovered in \(recovery) s")
    }

    @Test func aTaskOfAnAgentWithToolsKeepsItsStepsInTheSharedRecord() async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        let tools = try AgentToolsTests.toolServer()
        defer { tools.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try #"{"weather": {"model": "mock:tool", "tools": [\#(AgentToolsTests.tool("get_weather", path: "/ok", port: tools.port))]}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let replicas = try await Replicas(count: 2, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_AGENTS_FILE": file.path,
        ])
        #expect(await replicas.waitUntilConnected())
        let id = try Self.id(try Self.submit(#"{"agent":"weather","message":"Oslo"}"#, to: replicas.members[0]))
        let record = try await TaskRoutesTests.waitUntilFinished(id, port: replicas.members[1].port)
        #expect(record?["result"]?.stringValue == #"tool said: {"temperature":21,"sky":"clear"}"#, "\(String(describing: record))")
        #expect(record?["steps"]?[0]?["name"] == "get_weather" && record?["steps"]?[0]?["ok"] == true)
    }

    @Test func taskEventsOnAnotherReplicaCarryTheToolSteps() async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        let tools = try AgentToolsTests.toolServer()
        defer { tools.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try AgentToolsTests.slowAgent(tools.port).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let replicas = try await Replicas(count: 2, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_AGENTS_FILE": file.path,
        ])
        #expect(await replicas.waitUntilConnected())
        try await AgentToolsTests.followToolTask(submitTo: replicas.members[0], follower: replicas.members[1], tools: tools)
    }

    @Test func aPoisonTaskStopsAfterTheAttemptLimit() async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let replicas = try await Replicas(count: 2, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_TASK_LEASE_S": "1", "AGENTD_TASK_MAX_ATTEMPTS": "3",
            "AGENTD_RETRY_MAX_ATTEMPTS": "1",
        ].merging(Self.upstream(mock)) { $1 })
        #expect(await replicas.waitUntilConnected())
        let id = try Self.id(try Self.submit(#"{"message":"never","model":"up:m?fault=503&scenario=poison"}"#, to: replicas.pick()))
        let record = try await TaskRoutesTests.waitUntilFinished(id, port: replicas.pick().port, timeout: .seconds(20))
        #expect(record?["status"]?.stringValue == "failed")
        #expect(record?["attempts"]?.intValue == 3)
        #expect(record?["error"]?.stringValue?.contains("gave up after 3 attempts") == true, "\(String(describing: record))")
        // Failed for good and acknowledged: no entry is left to lapse, so there is no fourth run.
        #expect(await waitUntil(.seconds(5)) { (try? redis.command(["XLEN", "agentd:tasks:queue"])) == "0" })
        #expect(try Self.calls(mock, scenario: "poison") == 3, "no fourth run")
    }

    @Test func aWebhookWhoseReplicaDiesIsDeliveredByAnotherWithTheSameDeliveryID() async throws {
        let redis = try Self.durableRedis()
        defer { redis.kill() }
        let receiver = try WebhookReceiver(failFirst: 2)
        defer { receiver.stop() }
        let environment = ["AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_TASK_LEASE_S": "1"]
        var first = environment
        first["AGENTD_REPLICA_ID"] = "first"
        let dying = try await AgentdProcess.serve(first)
        defer { dying.kill() }
        let body = #"{"message":"call me","model":"mock:echo","callback_url":"http://127.0.0.1:\#(receiver.port)/hook"}"#
        // The first submission that Redis took (the replica may still be connecting).
        var accepted: HTTPTestResponse?
        _ = await waitUntil(.seconds(5)) {
            accepted = try? Self.submit(body, to: dying)
            return accepted?.status == 202
        }
        let id = try Self.id(try #require(accepted))
        #expect(await waitUntil(.seconds(5)) { receiver.requests.count >= 1 })
        dying.signal(SIGKILL)
        var second = environment
        second["AGENTD_REPLICA_ID"] = "second"
        let survivor = try await AgentdProcess.serve(second)
        defer { survivor.kill() }
        #expect(await waitUntil(.seconds(20)) {
            (try? Self.record(id, on: survivor))??["webhook"]?["state"]?.stringValue == "delivered"
        })
        let deliveries = Set(receiver.requests.compactMap { $0.headers["x-agentd-delivery"] })
        #expect(receiver.requests.count >= 3, "\(receiver.requests.count) requests")
        #expect(deliveries.count == 1, "one delivery id across replicas and attempts: \(deliveries)")
        #expect(Self.metric("agentd_task_takeovers_total", on: survivor) >= 1)
    }
}
