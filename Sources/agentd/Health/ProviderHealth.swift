import Agent
import LLM
import Resilience
import Synchronization
import Logging

/// When each provider last answered and last failed, for `/health`.
///
/// Owner: none; one record of atomics per provider, made at start, so recording a call takes no lock
/// (it runs on every upstream call). The last error is a small fixed set of outcomes.
final class ProviderHealth: Sendable {
    struct Entry: Sendable {
        var lastSuccessUnixMs: Int64?
        var lastFailureUnixMs: Int64?
        var lastError: String?
    }

    private final class Record: Sendable {
        let lastSuccessUnixMs = Atomic<Int64>(0)
        let lastFailureUnixMs = Atomic<Int64>(0)
        /// 0 none, 1 error, 2 timeout.
        let lastError = Atomic<Int>(0)
    }

    private let records: [String: Record]
    /// The calendar the times come from.
    let clock: any TimeSource

    init(providers: [String], clock: any TimeSource = SystemClock()) {
        self.clock = clock
        var records: [String: Record] = [:]
        for provider in providers { records[provider] = Record() }
        self.records = records
    }

    /// Seconds are what `/health` shows: a success within the same second as the last one stored changes
    /// nothing, so busy providers do not have every core write the same cache line on every call.
    static let resolutionMs: Int64 = 1000

    func succeeded(_ provider: String) {
        guard let record = records[provider] else { return }
        let now = clock.nowUnixMs
        if now - record.lastSuccessUnixMs.load(ordering: .relaxed) >= ProviderHealth.resolutionMs {
            record.lastSuccessUnixMs.store(now, ordering: .relaxed)
        }
    }

    func failed(_ provider: String, _ outcome: AttemptOutcome) {
        guard let record = records[provider] else { return }
        record.lastFailureUnixMs.store(clock.nowUnixMs, ordering: .relaxed)
        record.lastError.store(outcome == .timeout ? 2 : 1, ordering: .relaxed)
    }

    func entry(_ provider: String) -> Entry {
        guard let record = records[provider] else { return Entry() }
        let success = record.lastSuccessUnixMs.load(ordering: .relaxed)
        let failure = record.lastFailureUnixMs.load(ordering: .relaxed)
        let error = record.lastError.load(ordering: .relaxed)
        return Entry(
            lastSuccessUnixMs: success > 0 ? success : nil, lastFailureUnixMs: failure > 0 ? failure : nil,
            lastError: error == 2 ? "timeout" : error == 1 ? "error" : nil
        )
    }
}

/// Fans the gateway's reports out: metrics and logs, and the providers' health.
struct HealthRecordingObserver: GatewayObserver {
    let next: any GatewayObserver
    let health: ProviderHealth

    func attemptFinished(provider: String, model: String, outcome: AttemptOutcome, seconds: Double, usage: ChatUsage?) {
        switch outcome {
        case .success: health.succeeded(provider)
        case .error, .timeout: health.failed(provider, outcome)
        case .rejected: break
        }
        next.attemptFinished(provider: provider, model: model, outcome: outcome, seconds: seconds, usage: usage)
    }

    func firstToken(provider: String, model: String, seconds: Double) { next.firstToken(provider: provider, model: model, seconds: seconds) }
    func retrying(provider: String, reason: String, attempt: Int, delayMs: Int) {
        next.retrying(provider: provider, reason: reason, attempt: attempt, delayMs: delayMs)
    }
    func fellBack(from: String, to: String) { next.fellBack(from: from, to: to) }
    func breakerChanged(provider: String, from: CircuitBreaker.State, to: CircuitBreaker.State) {
        next.breakerChanged(provider: provider, from: from, to: to)
    }
}
