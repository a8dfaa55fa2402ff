import CAgentdSystem
import Foundation
import Locks
import RedisSupport
import Testing
@testable import Redis

/// The client against a real redis-server: commands and pipelining, scripts, credentials, and every failure a
/// deployment meets (Redis killed, hung, back, a wrong password, TLS with a trusted and an unknown CA), each
/// answered within the command deadline, never hanging.
@Suite(.serialized) struct RedisClientTests {
    static let timeoutMs = 250

    /// A client with its own threads, started, and up (or not, for the failure cases).
    static func client(_ url: String, connections: Int = 2, caFile: String? = nil, observer: RecordingObserver? = nil) throws -> RedisClient {
        var settings = RedisClient.Settings(url: try RedisURL(parsing: url))
        settings.timeoutMs = timeoutMs
        settings.connections = connections
        settings.caFile = caFile
        let client = try RedisClient(settings: settings, observer: observer)
        client.start()
        return client
    }

    @Test func commandsRoundTripAndPipelineInOrder() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let client = try Self.client(server.url)
        defer { client.stop() }
        #expect(await waitUntil { client.isUp })
        #expect(try await client.reply(["SET", "k", "v"]) == .simpleString("OK"))
        #expect(try await client.reply(["GET", "k"]) == .bulkString(Array("v".utf8)))
        #expect(try await client.reply(["GET", "missing"]) == .null)
        // 500 commands from 4 threads at once: each gets its own reply, in order per connection.
        let results = Locked<[Int: Int64]>([:])
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<500 {
                group.addTask {
                    if let value = try? await client.reply(["INCRBY", "counter:\(index % 10)", String(index)]).integerValue {
                        results.withLock { $0[index] = value }
                    }
                }
            }
        }
        #expect(results.withLock { $0.count } == 500)
        var total: Int64 = 0
        for bucket in 0..<10 { total += try await client.reply(["GET", "counter:\(bucket)"]).string.flatMap { Int64($0) } ?? 0 }
        #expect(total == Int64((0..<500).reduce(0, +)))
    }

    @Test func serverErrorsAreFailuresOfTheCommandOnly() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let client = try Self.client(server.url)
        defer { client.stop() }
        #expect(await waitUntil { client.isUp })
        _ = try await client.reply(["SET", "text", "v"])
        await #expect(throws: RedisError.self) { _ = try await client.reply(["INCR", "text"]) }
        #expect(try await client.reply(["PING"]) == .simpleString("PONG"))
    }

    @Test func scriptsRunBySHAAndReloadAfterAFlush() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let client = try Self.client(server.url, connections: 1)
        defer { client.stop() }
        #expect(await waitUntil { client.isUp })
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        #expect(script.sha1.count == 40)
        #expect(try await client.run(script, keys: ["n"], arguments: ["2"]) == .integer(2))
        _ = try server.command(["SCRIPT", "FLUSH"])
        #expect(try await client.run(script, keys: ["n"], arguments: ["3"]) == .integer(5))
        let calls = try server.commandCalls()
        #expect(calls["evalsha"] == 2, "EVALSHA first, then after NOSCRIPT: \(calls)")
        #expect(calls["eval"] == 2, "EVAL once at first (NOSCRIPT) and once after the flush: \(calls)")
    }

    @Test func passwordAndUserAreSentAndAWrongOneIsOneClearReport() async throws {
        let server = try RedisServerProcess(.init(password: "s3cr3t@/x"))
        defer { server.kill() }
        let good = try Self.client("redis://:s3cr3t%40%2Fx@127.0.0.1:\(server.port)")
        defer { good.stop() }
        #expect(await waitUntil { good.isUp })
        #expect(try await good.reply(["PING"]) == .simpleString("PONG"))

        let observer = RecordingObserver()
        let wrong = try Self.client("redis://:nope@127.0.0.1:\(server.port)", observer: observer)
        defer { wrong.stop() }
        #expect(await waitUntil { !observer.changes.isEmpty })
        // Several more refused attempts (Redis counts them), and still one report.
        #expect(try await waitUntil { (try server.info("errorstat_WRONGPASS") ?? 0) >= 4 })
        let changes = observer.changes
        #expect(changes.count == 1)
        guard case .cannotConnect(let endpoint, let reason)? = changes.first else {
            Issue.record("expected cannotConnect, got \(changes)")
            return
        }
        #expect(reason.contains("WRONGPASS"))
        #expect(!endpoint.contains("nope"), "the password must never be logged: \(endpoint)")
        await #expect(throws: RedisError.self) { _ = try await wrong.reply(["PING"]) }
    }

    @Test func anACLUserAndADatabaseFromTheURL() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        #expect(try server.command(["ACL", "SETUSER", "app", "on", ">app-secret", "~*", "+@all"]) == "OK")
        let client = try Self.client("redis://app:app-secret@127.0.0.1:\(server.port)/3")
        defer { client.stop() }
        #expect(await waitUntil { client.isUp })
        #expect(try await client.reply(["ACL", "WHOAMI"]) == .bulkString(Array("app".utf8)))
        _ = try await client.reply(["SET", "where", "db3"])
        #expect(try server.command(["-n", "3", "GET", "where"]) == "db3")
        #expect(try server.command(["GET", "where"]).isEmpty, "nothing written to db 0")
    }

    @Test func killedRedisFailsCommandsAtOnceAndRecoversWhenBack() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let observer = RecordingObserver()
        let client = try Self.client(server.url, observer: observer)
        defer { client.stop() }
        #expect(await waitUntil { client.isUp })
        server.crash()
        #expect(await waitUntil { !client.isUp })
        let started = ContinuousClock.now
        for _ in 0..<20 {
            await #expect(throws: RedisError.self) { _ = try await client.reply(["PING"]) }
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .milliseconds(Self.timeoutMs * 2), "20 commands on a dead Redis took \(elapsed)")
        try server.restart()
        let back = ContinuousClock.now
        #expect(await waitUntil(.seconds(5)) { client.isUp })
        #expect(ContinuousClock.now - back < .seconds(5))
        #expect(try await client.reply(["PING"]) == .simpleString("PONG"))
        let kinds = observer.changes.map { change -> String in
            switch change {
            case .connected: "connected"
            case .cannotConnect: "cannot"
            case .lost: "lost"
            case .back: "back"
            }
        }
        #expect(kinds == ["connected", "lost", "back"], "one report per change: \(kinds)")
    }

    @Test func hungRedisTimesOutWithinTheDeadline() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let client = try Self.client(server.url, connections: 1)
        defer { client.stop() }
        #expect(await waitUntil { client.isUp })
        server.pause()
        let started = ContinuousClock.now
        do {
            _ = try await client.reply(["PING"])
            Issue.record("a paused Redis answered")
        } catch let error as RedisError {
            #expect(error == .timeout(milliseconds: Self.timeoutMs))
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(Self.timeoutMs - 10) && elapsed < .milliseconds(Self.timeoutMs + 400), "took \(elapsed)")
        server.resume()
        #expect(await waitUntil(.seconds(5)) { client.isUp })
        #expect(try await client.reply(["PING"]) == .simpleString("PONG"))
    }

    @Test func aReplyPastTheLimitDropsTheConnectionWhichComesBack() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        var settings = RedisClient.Settings(url: try RedisURL(parsing: server.url))
        settings.timeoutMs = Self.timeoutMs
        settings.limits.maxBulkBytes = 1024
        let client = try RedisClient(settings: settings)
        client.start()
        defer { client.stop() }
        #expect(await waitUntil { client.isUp })
        _ = try await client.reply(["SET", "big", String(repeating: "x", count: 4096)])
        do {
            _ = try await client.reply(["GET", "big"])
            Issue.record("a 4 KiB reply passed a 1 KiB limit")
        } catch let error as RedisError {
            guard case .protocolViolation = error else {
                Issue.record("expected a protocol violation, got \(error)")
                return
            }
        }
        #expect(await waitUntil { client.isUp }, "the dropped connection reconnects")
        #expect(try await client.reply(["STRLEN", "big"]) == .integer(4096))
    }

    @Test func aServerThatNeverAnswersTheHandshakeIsADeadlineNotAHang() async throws {
        // A listener that accepts nothing: TCP connects (the backlog), HELLO never gets a reply.
        let port = try RedisServerProcess.freePort()
        let listener = agentd_listen_tcp("127.0.0.1", Int32(port), 16, 0)
        #expect(listener >= 0)
        defer { close(listener) }
        let observer = RecordingObserver()
        let client = try Self.client("redis://127.0.0.1:\(port)", observer: observer)
        defer { client.stop() }
        let started = ContinuousClock.now
        #expect(await waitUntil(.seconds(5)) { !observer.changes.isEmpty })
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(RedisClient.minimumConnectTimeoutMs - 50) && waited < .seconds(3), "handshake gave up after \(waited)")
        guard case .cannotConnect(_, let reason)? = observer.changes.first else {
            Issue.record("expected cannotConnect, got \(observer.changes)")
            return
        }
        #expect(reason.contains("did not answer"), "\(reason)")
        let commandStarted = ContinuousClock.now
        await #expect(throws: RedisError.self) { _ = try await client.reply(["PING"]) }
        #expect(ContinuousClock.now - commandStarted < .milliseconds(50), "no command waits for a connection")
    }

    @Test func tlsVerifiesTheServerAgainstTheGivenCA() async throws {
        let server = try RedisServerProcess(.init(password: "pw", tls: true))
        defer { server.kill() }
        let certificates = try #require(server.certificates)
        let client = try Self.client(server.url, caFile: certificates.authority)
        defer { client.stop() }
        #expect(await waitUntil { client.isUp })
        #expect(try await client.reply(["PING"]) == .simpleString("PONG"))

        let observer = RecordingObserver()
        let untrusting = try Self.client(server.url, caFile: certificates.otherAuthority, observer: observer)
        defer { untrusting.stop() }
        #expect(await waitUntil { !observer.changes.isEmpty })
        guard case .cannotConnect(_, let reason)? = observer.changes.first else {
            Issue.record("expected cannotConnect, got \(observer.changes)")
            return
        }
        #expect(reason.contains("certificate verification failed"), "\(reason)")
        #expect(!untrusting.isUp)
    }

    @Test func tlsRefusesAServerCertificateForAnotherName() async throws {
        // A certificate from the trusted CA, but for another host: the name check must refuse it.
        let server = try RedisServerProcess(.init(tls: true, tlsNames: "DNS:redis.internal.example"))
        defer { server.kill() }
        let certificates = try #require(server.certificates)
        let observer = RecordingObserver()
        let client = try Self.client(server.url, caFile: certificates.authority, observer: observer)
        defer { client.stop() }
        #expect(await waitUntil { !observer.changes.isEmpty })
        guard case .cannotConnect(_, let reason)? = observer.changes.first else {
            Issue.record("expected cannotConnect, got \(observer.changes)")
            return
        }
        #expect(reason.contains("certificate verification failed"), "\(reason)")
        #expect(!client.isUp)
    }
}

/// Records what a client reported. Owner: the lock.
final class RecordingObserver: RedisObserver {
    private let recorded = Locked<[RedisStateChange]>([])
    var changes: [RedisStateChange] { recorded.withLock { $0 } }
    func redisCommandFinished(operation: String, seconds: Double, failure: RedisError?) {}
    func redisStateChanged(_ change: RedisStateChange) { recorded.withLock { $0.append(change) } }
}

extension RedisClient {
    func reply(_ arguments: [String]) async throws -> RESPValue {
        try await withCheckedThrowingContinuation { continuation in
            send(arguments, operation: "test") { continuation.resume(with: $0) }
        }
    }

    func run(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RESPValue {
        try await withCheckedThrowingContinuation { continuation in
            run(script, keys: keys, arguments: arguments, operation: "test") { continuation.resume(with: $0) }
        }
    }
}
