import HTTP
import LLM
import Logging
import Security
import Testing
@testable import Tasks

/// A receiver, one transfer engine and a sender over them; `stop()` takes them down in that order's reverse.
private struct Fixture {
    static let fastPolicy = WebhookPolicy(maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5_000)
    static let body = Array(#"{"id":"task_1","status":"completed","result":{"text":"body-marker"}}"#.utf8)

    let receiver: WebhookReceiver
    let engines: TransferEnginePool
    let logs = MemoryLogSink()
    let sender: WebhookSender

    init(
        script: [ReceiverReply] = [], afterScript: ReceiverReply = .status(200), secret: String? = "s3cret-webhook-key",
        policy: WebhookPolicy = Fixture.fastPolicy
    ) throws {
        receiver = try WebhookReceiver(script: script, afterScript: afterScript)
        engines = try TransferEnginePool(count: 1)
        sender = WebhookSender(
            engines: engines, secret: secret, policy: policy, logger: Logger(minimumLevel: .debug, format: .json, sink: logs)
        )
    }

    /// Delivers `Fixture.body` for `task_1` and waits for the outcome.
    func deliver(url: String? = nil, recorder: OutcomeRecorder = OutcomeRecorder()) async -> WebhookOutcome? {
        sender.deliver(taskID: "task_1", url: url ?? receiver.url, body: Fixture.body, completion: recorder.completion)
        return await recorder.first()
    }

    func stop() {
        sender.shutdown()
        engines.shutdown()
        receiver.stop()
    }
}

@Suite struct WebhookSenderTests {
    @Test func deliveredOnTheFirstTryWithASignatureThatVerifies() async throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let recorder = OutcomeRecorder()
        #expect(await fixture.deliver(recorder: recorder) == .delivered(attempts: 1, status: 200))
        let requests = fixture.receiver.requests
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.body == Fixture.body)
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["User-Agent"] == "agentd")
        #expect(request.headers["X-Agentd-Event"] == "task.finished")
        #expect(request.headers["X-Agentd-Task-ID"] == "task_1")
        #expect(request.headers["X-Agentd-Delivery-Attempt"] == "1")
        // Verify as a receiver would: recompute the HMAC over the bytes that arrived, compare in constant time.
        let header = try #require(request.headers["X-Agentd-Signature"])
        #expect(header.hasPrefix("sha256="))
        let presented = try #require(SHA256.digest(hex: header.dropFirst("sha256=".count)))
        let expected = HMACSHA256.authenticationCode(key: "s3cret-webhook-key".utf8, message: request.body)
        #expect(HMACSHA256.matches(expected, presented))
        #expect(header == "sha256=" + SHA256.hex(expected))
        #expect(recorder.count == 1)
        #expect(fixture.sender.deliveriesInFlight == 0)
    }

    @Test func twoServiceUnavailableThenDeliveredOnTheThirdAttempt() async throws {
        let fixture = try Fixture(script: [.status(503), .status(503)])
        defer { fixture.stop() }
        #expect(await fixture.deliver() == .delivered(attempts: 3, status: 200))
        let requests = fixture.receiver.requests
        #expect(requests.map { $0.headers["X-Agentd-Delivery-Attempt"] } == ["1", "2", "3"])
        // The same body, so the same signature, on every attempt.
        #expect(Set(requests.map { $0.headers["X-Agentd-Signature"] ?? "" }).count == 1)
        #expect(requests.allSatisfy { $0.body == Fixture.body })
    }

    @Test func badRequestFailsAfterOneAttempt() async throws {
        let fixture = try Fixture(script: [.status(400)])
        defer { fixture.stop() }
        #expect(await fixture.deliver() == .failed(attempts: 1, reason: "HTTP 400"))
        #expect(fixture.receiver.requests.count == 1)
    }

    @Test func alwaysServerErrorFailsAfterMaxAttemptsAndLogsEachWithoutSecrets() async throws {
        let policy = WebhookPolicy(maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5_000)
        let fixture = try Fixture(afterScript: .status(500), policy: policy)
        defer { fixture.stop() }
        #expect(await fixture.deliver() == .failed(attempts: 4, reason: "HTTP 500"))
        #expect(fixture.receiver.requests.count == 4)
        let warnings = fixture.logs.lines.filter { $0.contains("webhook attempt failed") }
        #expect(warnings.count == 4)
        #expect(warnings.allSatisfy { $0.contains(#""task_id":"task_1""#) && $0.contains(#""status":500"#) })
        #expect(warnings.last?.contains(#""gave_up":"attempts_exhausted""#) == true)
        let everything = fixture.logs.lines.joined()
        #expect(!everything.contains("s3cret-webhook-key"))
        #expect(!everything.contains("body-marker"))
        #expect(!everything.contains(fixture.receiver.url))
    }

    @Test(arguments: [nil, ""] as [String?])
    func withoutASecretNoSignatureIsSent(secret: String?) async throws {
        let fixture = try Fixture(secret: secret)
        defer { fixture.stop() }
        #expect(await fixture.deliver() == .delivered(attempts: 1, status: 200))
        let request = try #require(fixture.receiver.requests.first)
        #expect(request.headers["X-Agentd-Signature"] == nil)
        #expect(request.headers["X-Agentd-Task-ID"] == "task_1")
    }

    /// The receiver asks for 1 s; the cap is 60 ms and the backoff's own ceiling 1 ms, so the wait is 60 ms:
    /// the Retry-After is what stretched it, and the cap is what cut it.
    @Test func retryAfterIsHonouredUpToTheCap() async throws {
        let policy = WebhookPolicy(maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 60, timeoutMs: 5_000)
        let fixture = try Fixture(script: [.status(503, headers: ["Retry-After": "1"])], policy: policy)
        defer { fixture.stop() }
        #expect(await fixture.deliver() == .delivered(attempts: 2, status: 200))
        let requests = fixture.receiver.requests
        try #require(requests.count == 2)
        let gapMs = requests[1].receivedMs - requests[0].receivedMs
        #expect(gapMs >= 59, "the receiver's Retry-After (capped at 60 ms) was not waited for: \(gapMs) ms")
        #expect(gapMs < 1_000, "Retry-After was honoured beyond maxDelayMs: \(gapMs) ms")
    }

    /// The head decides: a 2xx whose body is larger than agentd cares to read is still delivered, once.
    @Test func anAnswerWithALargeBodyIsJudgedByItsStatus() async throws {
        let largeBody = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let fixture = try Fixture(script: [.status(503, body: largeBody), .status(200, body: largeBody)])
        defer { fixture.stop() }
        #expect(await fixture.deliver() == .delivered(attempts: 2, status: 200))
        #expect(fixture.receiver.requests.count == 2)
    }

    @Test func aHangingReceiverTimesOutAndIsRetried() async throws {
        let policy = WebhookPolicy(maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 300)
        let fixture = try Fixture(afterScript: .hang, policy: policy)
        defer { fixture.stop() }
        #expect(await fixture.deliver() == .failed(attempts: 2, reason: "timed out (total)"))
        #expect(fixture.receiver.requests.count == 2)
    }

    @Test func aResetConnectionIsRetried() async throws {
        let fixture = try Fixture(script: [.reset])
        defer { fixture.stop() }
        #expect(await fixture.deliver() == .delivered(attempts: 2, status: 200))
    }

    @Test func aRefusedConnectionIsRetriedThenFails() async throws {
        let policy = WebhookPolicy(maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 2_000)
        let fixture = try Fixture(policy: policy)
        defer { fixture.stop() }
        // A port that was just listening and no longer is.
        let closed = try WebhookReceiver()
        let url = closed.url
        closed.stop()
        let outcome = await fixture.deliver(url: url)
        guard case .failed(let attempts, let reason) = outcome else {
            Issue.record("expected a failure, got \(String(describing: outcome))")
            return
        }
        #expect(attempts == 2)
        #expect(reason.hasPrefix("cannot connect"))
    }

    @Test func aURLThatValidationRefusesFailsWithoutAnAttempt() async throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let outcome = await fixture.deliver(url: "file:///etc/passwd")
        #expect(outcome == .failed(attempts: 0, reason: #"callback URL refused: the scheme must be http or https, not "file""#))
        #expect(fixture.receiver.requests.isEmpty)
    }

    @Test func cancelStopsThePendingRetry() async throws {
        let policy = WebhookPolicy(maxAttempts: 3, baseDelayMs: 30_000, maxDelayMs: 30_000, timeoutMs: 5_000)
        // Retry-After pins the wait at the cap, so the retry is surely still pending when the test cancels.
        let fixture = try Fixture(script: [.status(503, headers: ["Retry-After": "30"])], policy: policy)
        defer { fixture.stop() }
        let recorder = OutcomeRecorder()
        let delivery = fixture.sender.deliver(
            taskID: "task_1", url: fixture.receiver.url, body: Fixture.body, completion: recorder.completion
        )
        #expect(await eventually { fixture.logs.lines.contains { $0.contains("retry_in_ms") } })
        delivery.cancel()
        #expect(await recorder.first(timeoutMs: 1_000) == .failed(attempts: 1, reason: "cancelled"))
        #expect(delivery.isFinished)
        delivery.cancel()
        #expect(recorder.count == 1)
        #expect(fixture.receiver.requests.count == 1)
        #expect(fixture.sender.deliveriesInFlight == 0)
    }

    @Test func shutdownCancelsDeliveriesInFlightAndRefusesNewOnes() async throws {
        let policy = WebhookPolicy(maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 30_000)
        let fixture = try Fixture(afterScript: .hang, policy: policy)
        defer { fixture.stop() }
        let recorder = OutcomeRecorder()
        fixture.sender.deliver(taskID: "task_1", url: fixture.receiver.url, body: Fixture.body, completion: recorder.completion)
        #expect(await eventually { fixture.receiver.requests.count == 1 })
        fixture.sender.shutdown()
        #expect(await recorder.first(timeoutMs: 1_000) == .failed(attempts: 1, reason: "cancelled"))
        let late = OutcomeRecorder()
        fixture.sender.deliver(taskID: "task_2", url: fixture.receiver.url, body: Fixture.body, completion: late.completion)
        #expect(await late.first(timeoutMs: 1_000) == .failed(attempts: 0, reason: "webhooks are shut down"))
        #expect(recorder.count == 1)
    }

    /// GitHub's documented example of the same scheme (secret, payload, `sha256=` + hex HMAC-SHA256).
    @Test func signatureMatchesAKnownValue() {
        let signature = WebhookSender.signature(body: Array("Hello, World!".utf8), secret: "It's a Secret to Everybody")
        #expect(signature == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    }
}
