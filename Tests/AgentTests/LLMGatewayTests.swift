import Foundation
import Locks
import LLM
import Resilience
import Testing
@testable import Agent

/// A provider that fails its first `failures` calls with `error`, then answers; counts its calls.
final class ScriptedProvider: ChatProvider, @unchecked Sendable {
    let name: String
    let knownModels: [String] = []
    private let failures: Int
    private let error: ProviderError.Kind
    private let calls = Locked(0)
    /// Stream calls send one event before failing, when set.
    let failAfterFirstEvent: Bool

    init(name: String, failures: Int, error: ProviderError.Kind = .status(503), failAfterFirstEvent: Bool = false) {
        self.name = name
        self.failures = failures
        self.error = error
        self.failAfterFirstEvent = failAfterFirstEvent
    }

    var callCount: Int { calls.withLock { $0 } }

    private func nextFails() -> Bool {
        calls.withLock { count in
            count += 1
            return count <= failures
        }
    }

    func complete(_ request: ChatRequest, completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>) -> Void) -> ProviderCall {
        if nextFails() {
            completion(.failure(ProviderError(provider: name, kind: error, message: "scripted")))
        } else {
            completion(.success(ChatCompletion(text: "from \(name)", usage: ChatUsage(inputTokens: 1, outputTokens: 2))))
        }
        return ProviderCall(cancel: {}, resume: {})
    }

    func stream(_ request: ChatRequest, callbacks: ChatStreamCallbacks) -> ProviderCall {
        let fails = nextFails()
        if fails && failAfterFirstEvent { _ = callbacks.onEvent(.text("partial")) }
        callbacks.onComplete(fails ? .failure(ProviderError(provider: name, kind: error, message: "scripted")) : .success(StreamSummary()))
        return ProviderCall(cancel: {}, resume: {})
    }
}

/// Records what the gateway reports.
final class RecordingObserver: GatewayObserver, @unchecked Sendable {
    let events = Locked<[String]>([])
    func attemptFinished(provider: String, model: String, outcome: AttemptOutcome, seconds: Double, usage: ChatUsage?) {
        events.withLock { $0.append("\(provider):\(outcome.rawValue)") }
    }
    func firstToken(provider: String, model: String, seconds: Double) {}
    func retrying(provider: String, reason: String, attempt: Int, delayMs: Int) { events.withLock { $0.append("retry:\(reason)") } }
    func fellBack(from: String, to: String) { events.withLock { $0.append("fallback:\(from)->\(to)") } }
    func breakerChanged(provider: String, from: CircuitBreaker.State, to: CircuitBreaker.State) {}
}

@Suite struct LLMGatewayTests {
    static let fastRetries = GatewaySettings(retry: RetryPolicy(maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5))

    static func wait(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            if condition() { return true }
            usleep(2000)
        }
        return condition()
    }

    @Test func retryableFailuresAreRetriedUntilTheAnswer() throws {
        let provider = ScriptedProvider(name: "up", failures: 2)
        let registry = ProviderRegistry(providers: [provider], defaultModel: "up:m")
        let observer = RecordingObserver()
        let gateway = LLMGateway(registry: registry, settings: Self.fastRetries, observer: observer)
        let outcome = Locked<(Result<ChatCompletion, ProviderError>, GatewayReport)?>(nil)
        _ = gateway.complete(ChatRequest(model: "m", messages: [.user("hi")]), resolution: try registry.resolve("up:m")) { result, report in
            outcome.withLock { $0 = (result, report) }
        }
        #expect(Self.wait { outcome.withLock { $0 != nil } })
        let (result, report) = try #require(outcome.withLock { $0 })
        #expect(try result.get().text == "from up")
        #expect(report.attempts == 3)
        #expect(provider.callCount == 3)
        #expect(observer.events.withLock { $0 } == ["up:error", "retry:status_503", "up:error", "retry:status_503", "up:success"])
    }

    @Test func aClientErrorIsNotRetried() throws {
        let provider = ScriptedProvider(name: "up", failures: 5, error: .status(400))
        let registry = ProviderRegistry(providers: [provider], defaultModel: "up:m")
        let gateway = LLMGateway(registry: registry, settings: Self.fastRetries)
        let failed = Locked(false)
        _ = gateway.complete(ChatRequest(model: "m", messages: [.user("hi")]), resolution: try registry.resolve("up:m")) { result, _ in
            if case .failure(let error) = result, error.kind == .status(400) { failed.withLock { $0 = true } }
        }
        #expect(Self.wait { failed.withLock { $0 } })
        #expect(provider.callCount == 1)
    }

    /// A call whose first attempt failed and whose retry waits on a `ManualClock` for its backoff.
    struct BackoffCall {
        let provider: ScriptedProvider
        let clock: ManualClock
        let call: ProviderCall
        let failures: Locked<[ProviderError.Kind]>
        let answered: Locked<Bool>
    }

    /// Full jitter draws the backoff from 0...400 ms, and a 0 ms wait runs at once: a call whose draw was 0 is
    /// answered without the clock, and another call is tried. Nil after three zero draws in a row (1 in 64
    /// million).
    static func callWaitingOnItsBackoff() throws -> BackoffCall? {
        for _ in 0..<3 {
            let provider = ScriptedProvider(name: "up", failures: 1)
            let registry = ProviderRegistry(providers: [provider], defaultModel: "up:m")
            let settings = GatewaySettings(retry: RetryPolicy(maxAttempts: 3, baseDelayMs: 400, maxDelayMs: 400))
            let clock = ManualClock()
            let gateway = LLMGateway(registry: registry, settings: settings, clock: clock)
            let failures = Locked<[ProviderError.Kind]>([])
            let answered = Locked(false)
            let call = gateway.complete(ChatRequest(model: "m", messages: [.user("hi")]), resolution: try registry.resolve("up:m")) { result, _ in
                switch result {
                case .failure(let error): failures.withLock { $0.append(error.kind) }
                case .success: answered.withLock { $0 = true }
                }
            }
            #expect(wait { clock.pendingTimers == 1 || answered.withLock { $0 } })
            if answered.withLock({ $0 }) {
                #expect(provider.callCount == 2)
                continue
            }
            return BackoffCall(provider: provider, clock: clock, call: call, failures: failures, answered: answered)
        }
        return nil
    }

    @Test func cancellingDuringTheBackoffEndsTheCallWithoutAnotherAttempt() throws {
        let waiting = try #require(try Self.callWaitingOnItsBackoff(), "three zero draws in a row")
        waiting.call.cancel()
        #expect(waiting.failures.withLock { $0 } == [.cancelled])
        // The backoff ends: the retry's timer runs, and starts nothing for a cancelled call.
        waiting.clock.advance(byMs: 1_000)
        #expect(waiting.clock.pendingTimers == 0)
        #expect(waiting.failures.withLock { $0 } == [.cancelled])
        #expect(waiting.provider.callCount == 1)
    }

    @Test func aRetryWaitsItsBackoffOnTheClockAndNotLonger() throws {
        let waiting = try #require(try Self.callWaitingOnItsBackoff(), "three zero draws in a row")
        #expect(waiting.provider.callCount == 1)
        // The wait is at most the 400 ms cap; past it the second attempt has started.
        waiting.clock.advance(byMs: 400)
        #expect(Self.wait { waiting.answered.withLock { $0 } })
        #expect(waiting.provider.callCount == 2)
    }

    @Test func aStreamThatFailsAfterItsFirstEventIsNotRetried() throws {
        let provider = ScriptedProvider(name: "up", failures: 1, failAfterFirstEvent: true)
        let registry = ProviderRegistry(providers: [provider], defaultModel: "up:m")
        let gateway = LLMGateway(registry: registry, settings: Self.fastRetries)
        let ended = Locked<Result<StreamSummary, ProviderError>?>(nil)
        _ = gateway.stream(ChatRequest(model: "m", messages: [.user("hi")]), resolution: try registry.resolve("up:m"), callbacks: ChatStreamCallbacks(
            onEvent: { _ in .proceed }, onComplete: { result in ended.withLock { $0 = result } }
        ))
        #expect(Self.wait { ended.withLock { $0 != nil } })
        #expect((try? ended.withLock { $0 }?.get()) == nil)
        #expect(provider.callCount == 1)
    }

    @Test func anOpenCircuitFallsBackAtOnce() throws {
        let down = ScriptedProvider(name: "down", failures: 1000, error: .status(500))
        let spare = ScriptedProvider(name: "spare", failures: 0)
        let registry = ProviderRegistry(providers: [down, spare], defaultModel: "down:m")
        let settings = GatewaySettings(
            retry: RetryPolicy(maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1),
            breaker: CircuitBreaker.Configuration(failureRate: 0.5, window: 2, minimumCalls: 2, openMs: 60_000, halfOpenCalls: 1)
        )
        let observer = RecordingObserver()
        let gateway = LLMGateway(
            registry: registry, settings: settings, fallbacks: [try registry.resolve("spare:m")], observer: observer
        )
        for _ in 0..<3 {
            let done = Locked(false)
            _ = gateway.complete(ChatRequest(model: "m", messages: [.user("hi")]), resolution: try registry.resolve("down:m")) { result, report in
                #expect((try? result.get())?.text == "from spare")
                #expect(report.model == "spare:m")
                done.withLock { $0 = true }
            }
            #expect(Self.wait { done.withLock { $0 } })
        }
        #expect(down.callCount == 2, "the third call found the circuit open and was not sent")
        #expect(observer.events.withLock { $0 }.contains("down:rejected"))
        #expect(gateway.breakerStates.first { $0.provider == "down" }?.state == .open)
    }
}
