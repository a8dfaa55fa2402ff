import Foundation
import MockLLMSupport
import RedisSupport
import Testing

/// N agentd replicas on one real Redis behave as one agentd (docs/operations.md, "3. Scale out: N replicas on
/// one Redis"): a round-robin client, as a Kubernetes Service spreads requests, sees one conversation, one bucket, one
/// budget and one cache. Each test starts its own redis-server and replicas on free ports.
@Suite(.serialized) struct ReplicasOnRedisTests {
    /// Replicas started with the same environment on one Redis; requests go round robin.
    final class Replicas: @unchecked Sendable {
        let members: [AgentdProcess]
        private var next = 0

        /// Unless a test sets `AGENTD_REDIS_TIMEOUT_MS` (the ones that measure it do), the replicas wait 2 s for
        /// Redis, so a stall of a busy CI machine is not mistaken for a dead Redis.
        init(count: Int, environment: [String: String]) async throws {
            var members: [AgentdProcess] = []
            for index in 0..<count {
                var settings = ["AGENTD_REDIS_TIMEOUT_MS": "2000"].merging(environment) { $1 }
                settings["AGENTD_REPLICA_ID"] = "replica-\(index)"
                members.append(try await AgentdProcess.serve(settings))
            }
            self.members = members
        }

        deinit { for member in members { member.kill() } }

        /// The next replica in turn.
        func pick() -> AgentdProcess {
            defer { next = (next + 1) % members.count }
            return members[next]
        }

        /// Waits until every replica's `/health` shows Redis connected.
        func waitUntilConnected(timeout: Duration = .seconds(5)) async -> Bool {
            await waitUntil(timeout) {
                members.allSatisfy { member in
                    (try? HTTPTestClient.send("GET", "/health", port: member.port))?.bodyText.contains("connected;") == true
                }
            }
        }
    }

    static func chat(_ replica: AgentdProcess, _ body: [String: Any], headers: [(String, String)] = []) throws -> HTTPTestResponse {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try HTTPTestClient.send(
            "POST", "/chat", port: replica.port, headers: [("Content-Type", "application/json")] + headers, body: Array(data), timeoutMs: 10_000
        )
    }

    /// Input tokens the upstream reported for each turn of a 10-turn conversation sent to `pick()`.
    static func converse(turns: Int, pick: () -> AgentdProcess) throws -> (ids: Set<String>, inputTokens: [Int]) {
        var id: String?
        var ids: Set<String> = []
        var inputs: [Int] = []
        for turn in 1...turns {
            var body: [String: Any] = ["message": "turn number \(turn) of a long conversation"]
            if let id { body["conversation_id"] = id }
            let response = try chat(pick(), body)
            #expect(response.status == 200, "turn \(turn): \(response.bodyText)")
            let object = try #require(response.jsonObject)
            id = object["conversation_id"] as? String
            ids.insert(id ?? "")
            inputs.append(((object["usage"] as? [String: Any])?["input_tokens"] as? Int) ?? -1)
        }
        return (ids, inputs)
    }

    @Test func aConversationAlternatingReplicasKeepsItsWholeHistory() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let replicas = try await Replicas(count: 3, environment: ["AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0"])
        #expect(await replicas.waitUntilConnected())
        let single = try await AgentdProcess.serve(["AGENTD_RATE_LIMIT_RPS": "0"])
        defer { single.kill() }
        let shared = try Self.converse(turns: 12, pick: replicas.pick)
        let reference = try Self.converse(turns: 12, pick: { single })
        #expect(shared.ids.count == 1, "one conversation id across replicas: \(shared.ids)")
        let named = await replicas.members[1].standardOutput.waitForLine { $0.contains("\"listening\"") }
        #expect(named?.contains("\"replica\":\"replica-1\"") == true, "AGENTD_REPLICA_ID in the logs: \(named ?? "no line")")
        // The upstream's input grows by the whole history each turn, exactly as on one agentd.
        #expect(shared.inputTokens == reference.inputTokens)
        #expect(reference.inputTokens == reference.inputTokens.sorted() && Set(reference.inputTokens).count == 12)
    }

    @Test func twoConcurrentTurnsOnTwoReplicasBothSurvive() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let replicas = try await Replicas(count: 2, environment: ["AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0"])
        #expect(await replicas.waitUntilConnected())
        let first = try Self.chat(replicas.members[0], ["message": "start"])
        let id = try #require(first.jsonObject?["conversation_id"] as? String)
        async let left = Self.chat(replicas.members[0], ["message": "left", "conversation_id": id])
        async let right = Self.chat(replicas.members[1], ["message": "right", "conversation_id": id])
        let (leftResponse, rightResponse) = try await (left, right)
        #expect(leftResponse.status == 200 && rightResponse.status == 200)
        #expect(try redis.command(["LLEN", "agentd:conv:\(id)"]) == "3", "start, left and right are all stored")
    }

    @Test func aBurstAcrossReplicasIsHeldToOneBucket() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let replicas = try await Replicas(count: 3, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0.01", "AGENTD_RATE_LIMIT_BURST": "20",
        ])
        #expect(await replicas.waitUntilConnected())
        var allowed = 0, refused = 0
        for _ in 0..<100 {
            let response = try HTTPTestClient.send("GET", "/agents", port: replicas.pick().port)
            if response.status == 200 { allowed += 1 }
            if response.status == 429 {
                refused += 1
                #expect(response.header("Retry-After") != nil)
                #expect(response.header("X-RateLimit-Limit") == "20")
            }
        }
        #expect(allowed >= 20 && allowed <= 21, "one bucket of 20 (plus at most one refill): \(allowed) allowed")
        #expect(allowed + refused == 100)
    }

    @Test func concurrentRequestsAcrossReplicasDoNotOvershootABudget() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let replicas = try await Replicas(count: 3, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_DAILY_TOKEN_BUDGET": "420",
        ])
        #expect(await replicas.waitUntilConnected())
        let ports = replicas.members.map(\.port)
        let spent = await withTaskGroup(of: Int.self) { group in
            for index in 0..<60 {
                group.addTask {
                    let body = Array(#"{"message":"how many tokens will this take?","max_tokens":16}"#.utf8)
                    guard let response = try? HTTPTestClient.send(
                        "POST", "/chat", port: ports[index % ports.count], headers: [("Content-Type", "application/json")], body: body,
                        timeoutMs: 10_000
                    ) else { return 0 }
                    if response.status == 429 { #expect(response.bodyText.contains("budget_exceeded")) }
                    return response.status == 200 ? (response.jsonObject?["tokens_used"] as? Int ?? 0) : 0
                }
            }
            return await group.reduce(0, +)
        }
        // A reservation is max_tokens plus the body's estimate (about 16 + 16): one call's worth at most over.
        #expect(spent >= 380 && spent <= 420 + 32, "spent \(spent) of a 420-token budget across 3 replicas")
        let refused = try Self.chat(replicas.pick(), ["message": "one more"])
        #expect(refused.status == 429 && refused.header("Retry-After") != nil)
        // Every call settled: no hold is left, and the day's committed tokens are exactly what was used.
        let day = Int(Date().timeIntervalSince1970 * 1000) / 86_400_000
        let budgetKey = "agentd:budget:127.0.0.1:\(day)"
        let settled = try await waitUntil { try redis.command(["HKEYS", budgetKey]) == "c" }
        let fields = try redis.command(["HGETALL", budgetKey])
        #expect(settled, "holds left: \(fields)")
        #expect(try redis.command(["HGET", budgetKey, "c"]) == String(spent))
    }

    @Test func identicalConcurrentMissesOnThreeReplicasMakeOneUpstreamCall() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let replicas = try await Replicas(count: 3, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_CACHE_TTL_S": "60",
            "AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1", "AGENTD_DEFAULT_MODEL": "up:m?latency_ms=400",
        ])
        #expect(await replicas.waitUntilConnected())
        let ports = replicas.members.map(\.port)
        let answers = await withTaskGroup(of: String?.self) { group in
            for index in 0..<9 {
                group.addTask {
                    let body = Array(#"{"message":"the same question","temperature":0}"#.utf8)
                    let response = try? HTTPTestClient.send(
                        "POST", "/chat", port: ports[index % 3], headers: [("Content-Type", "application/json")], body: body, timeoutMs: 10_000
                    )
                    return response?.status == 200 ? response?.jsonObject?["response"] as? String : nil
                }
            }
            return await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0 == "echo: the same question" }, "\(answers)")
        let stats = try mock.stats()
        #expect(stats["requests_total"] as? Int == 1, "one upstream call for 9 identical misses: \(stats)")
    }

    @Test func redisDownFollowsTheFailurePolicyAndRecoversWithoutRestart() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let replica = try await AgentdProcess.serve([
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "100", "AGENTD_REDIS_TIMEOUT_MS": "200",
        ])
        defer { replica.kill() }
        let budgeted = try await AgentdProcess.serve([
            "AGENTD_REDIS_URL": redis.url, "AGENTD_DAILY_TOKEN_BUDGET": "100000", "AGENTD_REDIS_TIMEOUT_MS": "200",
        ])
        defer { budgeted.kill() }
        let closed = try await AgentdProcess.serve([
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "100", "AGENTD_REDIS_TIMEOUT_MS": "200",
            "AGENTD_REDIS_RATE_LIMIT_FALLBACK": "closed",
        ])
        defer { closed.kill() }
        let first = try Self.chat(replica, ["message": "remember me"])
        let id = try #require(first.jsonObject?["conversation_id"] as? String)

        redis.crash()
        #expect(await waitUntil {
            (try? HTTPTestClient.send("GET", "/metrics", port: replica.port))?.bodyText.contains("agentd_redis_up 0") == true
        })
        let started = ContinuousClock.now
        #expect(try HTTPTestClient.send("GET", "/health/live", port: replica.port).status == 200)
        #expect(try HTTPTestClient.send("GET", "/health/ready", port: replica.port).status == 200)
        let health = try HTTPTestClient.send("GET", "/health", port: replica.port)
        #expect(health.status == 200 && health.bodyText.contains("\"redis\"") && health.bodyText.contains("degraded"), "\(health.bodyText)")
        // The rate limit falls back to this replica's bucket: still served; or, configured closed, refuses.
        #expect(try Self.chat(replica, ["message": "a fresh chat"]).status == 200)
        let refused = try Self.chat(closed, ["message": "a fresh chat"])
        #expect(refused.status == 503 && refused.header("Retry-After") != nil, "\(refused.bodyText)")
        // Continuing a conversation never silently starts a fresh one.
        let continued = try Self.chat(replica, ["message": "and now?", "conversation_id": id])
        #expect(continued.status == 503 && continued.header("Retry-After") != nil, "\(continued.bodyText)")
        // A budget never spends unmetered.
        let spending = try Self.chat(budgeted, ["message": "spend"])
        #expect(spending.status == 503 && spending.header("Retry-After") != nil, "\(spending.bodyText)")
        #expect(ContinuousClock.now - started < .seconds(3), "every answer within the Redis timeout, none hanging")
        let metrics = try HTTPTestClient.send("GET", "/metrics", port: replica.port).bodyText
        #expect(metrics.contains("agentd_redis_up 0"))

        try redis.restart()
        let back = ContinuousClock.now
        let recovered = try await waitUntil(.seconds(5), interval: .milliseconds(50)) {
            try Self.chat(budgeted, ["message": "spend"]).status == 200
        }
        #expect(recovered && ContinuousClock.now - back < .seconds(5), "recovered within 5 s of Redis coming back, with no restart")
        let lines = replica.standardOutput.lines.filter { $0.contains("redis") && $0.contains("\"level\":\"warning\"") }
        #expect(lines.count <= 3, "one warning per state change, not per request: \(lines)")
    }

    @Test func aResponseMadeOnOneReplicaIsContinuedOnAnotherOnlyByItsKeyAndAStalledRedisIs503() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let replicas = try await Replicas(count: 2, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_RATE_LIMIT_RPS": "0", "AGENTD_API_KEYS": "k1,k2", "AGENTD_REDIS_TIMEOUT_MS": "300",
        ])
        #expect(await replicas.waitUntilConnected())
        func respond(_ body: String, on member: AgentdProcess, key: String = "k1") throws -> HTTPTestResponse {
            try HTTPTestClient.send(
                "POST", "/v1/responses", port: member.port, headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(key)")],
                body: Array(body.utf8), timeoutMs: 5000
            )
        }
        let first = try respond(#"{"model":"mock:echo","input":"remember this"}"#, on: replicas.members[0])
        let id = try #require(first.jsonObject?["id"] as? String)
        let continued = try respond(#"{"model":"mock:echo","input":"and this","previous_response_id":"\#(id)"}"#, on: replicas.members[1])
        #expect(continued.status == 200, "\(continued.bodyText)")
        // The mock counts the whole history it was sent: more input than the first time.
        let firstInput = (first.jsonObject?["usage"] as? [String: Any])?["input_tokens"] as? Int ?? 0
        let laterInput = (continued.jsonObject?["usage"] as? [String: Any])?["input_tokens"] as? Int ?? 0
        #expect(laterInput > firstInput, "\(firstInput) then \(laterInput)")
        let stranger = try respond(#"{"model":"mock:echo","input":"mine?","previous_response_id":"\#(id)"}"#, on: replicas.members[1], key: "k2")
        #expect(stranger.status == 400 && stranger.bodyText.contains(id))

        redis.pause()
        defer { redis.resume() }
        let started = ContinuousClock.now
        let stalled = try respond(#"{"model":"mock:echo","input":"more","previous_response_id":"\#(id)"}"#, on: replicas.members[0])
        #expect(stalled.status == 503 && stalled.header("Retry-After") != nil, "\(stalled.bodyText)")
        #expect(ContinuousClock.now - started < .seconds(2), "within the Redis timeout, never hanging")
    }

    @Test func persistenceIsReportedAtStartAndInHealth() async throws {
        let volatile = try RedisServerProcess()
        defer { volatile.kill() }
        let warned = try await AgentdProcess.serve(["AGENTD_REDIS_URL": volatile.url])
        defer { warned.kill() }
        let warning = await warned.standardOutput.waitForLine { $0.contains("redis does not fsync every write") }
        #expect(warning?.contains("no AOF") == true, "\(warning ?? "no warning")")

        let durable = try RedisServerProcess(.init(appendOnly: true))
        defer { durable.kill() }
        let quiet = try await AgentdProcess.serve(["AGENTD_REDIS_URL": durable.url])
        defer { quiet.kill() }
        let connected = await quiet.standardOutput.waitForLine { $0.contains("redis connected") }
        #expect(connected?.contains("appendfsync always") == true, "\(connected ?? "no line")")
        #expect(!quiet.standardOutput.text.contains("does not fsync"))
        let health = try HTTPTestClient.send("GET", "/health", port: quiet.port).bodyText
        #expect(health.contains("acknowledged writes are on disk"), "\(health)")
    }

    @Test func aMalformedURLExits2AndHidesThePassword() async throws {
        let finished = try await AgentdProcess.run([], environment: ["AGENTD_REDIS_URL": "redis://:hunter2@redis:notaport"])
        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.contains("AGENTD_REDIS_URL") && finished.standardError.contains("port"))
        #expect(!finished.standardError.contains("hunter2"), "\(finished.standardError)")
    }

    @Test func aWrongPasswordIsOneClearLineAndAgentdKeepsServing() async throws {
        let redis = try RedisServerProcess(.init(password: "right"))
        defer { redis.kill() }
        let replica = try await AgentdProcess.serve(["AGENTD_REDIS_URL": "redis://:wrong@127.0.0.1:\(redis.port)"])
        defer { replica.kill() }
        let line = await replica.standardOutput.waitForLine { $0.contains("cannot connect to redis") }
        #expect(line?.contains("WRONGPASS") == true, "\(line ?? "no line")")
        #expect(line?.contains("wrong") == false, "the password is never logged")
        #expect(try HTTPTestClient.send("GET", "/health/live", port: replica.port).status == 200)
    }

    @Test func tlsWithTheDeploymentsCA() async throws {
        let redis = try RedisServerProcess(.init(password: "pw", tls: true))
        defer { redis.kill() }
        let certificates = try #require(redis.certificates)
        let replicas = try await Replicas(count: 2, environment: [
            "AGENTD_REDIS_URL": redis.url, "AGENTD_REDIS_CA_FILE": certificates.authority, "AGENTD_RATE_LIMIT_RPS": "0",
        ])
        #expect(await replicas.waitUntilConnected())
        let conversation = try Self.converse(turns: 4, pick: replicas.pick)
        #expect(conversation.ids.count == 1)
    }
}
