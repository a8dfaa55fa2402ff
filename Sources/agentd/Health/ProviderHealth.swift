import Agent
import LLM
import Resilience
import Locks
import Logging

/// When each provider last answered and last failed, for `/health`. Owner: the lock around the table.
final class ProviderHealth: Sendable {
    struct Entry: Sendable {
        var lastSuccessUnixMs: Int64?
        var lastFailureUnixMs: Int64?
        var lastError: String?
    }

    private let table = Locked<[String: Entry]>([:])

    func succeeded(_ provider: String) {
        let now = LogTimestamp.nowUnixMs()
        table.withLock { $0[provider, default: Entry()].lastSuccessUnixMs = now }
    }

    func failed(_ provider: String, _ outcome: AttemptOutcome) {
        let now = LogTimestamp.nowUnixMs()
        table.withLock { table in
            table[provider, default: Entry()].lastFailureUnixMs = now
            table[provider, default: Entry()].lastError = outcome.rawValue
        }
    }

    func entry(_ provider: String) -> Entry { table.withLock { $0[provider] ?? Entry() } }
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
