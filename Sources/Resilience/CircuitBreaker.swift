import Locks
import Synchronization

/// Stops calls to an upstream provider that keeps failing, then tests it with a few probes before trusting it again.
///
/// Behaviour (README.md, API, "Protection and resilience"; the AGENTD_BREAKER_* rows of docs/configuration.md;
/// the pattern of Nygard's "Release It!"): closed, it counts the outcomes of the last `window` calls; once at least
/// `minimumCalls` are counted and failures / calls ≥ `failureRate`, it opens. Open, it rejects every call for `openMs`;
/// the first `acquire()` after that makes it half-open, which lets `halfOpenCalls` probes through: all succeed →
/// closed, one fails → open again with a fresh cool-down. Client errors, throttling and cancellations are `.ignored`:
/// they say nothing about the upstream's health.
///
/// Use: `switch breaker.acquire() { case .permitted(let permit): …call…; permit.record(outcome)
/// case .rejected(let retryAfterMs): …answer 503 with Retry-After… }`. One breaker per provider.
///
/// Owner of the mutable state: one `Locked<CircuitBreakerMachine>`; `acquire()` and settling a permit take it once
/// and are O(1). Transitions are reported through `onTransition` outside the lock, in the order they happened:
/// the thread that finds transitions queued and nobody reporting them reports them all, so a callback may run on
/// another thread than the one whose call caused the transition, shortly after it. The callback may call the
/// breaker (re-entrant transitions are queued, not reported recursively). It never sleeps and never blocks
/// on anything but its own lock.
public final class CircuitBreaker: Sendable {
    /// The breaker's state. Raw values are the values of the breaker's state metric.
    public enum State: Int, Sendable, Equatable, CaseIterable {
        case closed = 0
        case halfOpen = 1
        case open = 2
    }

    /// The Retry-After given to calls rejected because every half-open probe slot is taken: the probes will
    /// settle within about one upstream call, and one second is a polite guess at that.
    public static let busyProbesRetryAfterMs = 1_000

    /// The provider this breaker guards, for logs and metric labels.
    public let name: String
    public let configuration: Configuration
    private let clock: any TimeSource
    private let onTransition: (@Sendable (_ from: State, _ to: State) -> Void)?
    private let machine: Locked<CircuitBreakerMachine>
    /// The closed-state fast path, written under the machine's lock and read without it, so that a healthy
    /// provider's calls from several event loops never take one shared mutex: `closedEpoch` is the epoch + 1
    /// while closed (0 otherwise); `quiet` is set while the window is full of successes, when a success needs no
    /// recording. A permit handed out just as the circuit opens carries the old epoch, which settling ignores.
    private let closedEpoch = Atomic<UInt64>(1)
    private let quiet = Atomic<Bool>(false)

    public init(
        name: String,
        configuration: Configuration = Configuration(),
        clock: any TimeSource,
        onTransition: (@Sendable (_ from: State, _ to: State) -> Void)? = nil
    ) {
        self.name = name
        self.configuration = configuration
        self.clock = clock
        self.onTransition = onTransition
        machine = Locked(CircuitBreakerMachine(
            configuration: configuration,
            busyProbesRetryAfterMs: Self.busyProbesRetryAfterMs,
            queuesTransitions: onTransition != nil
        ))
    }

    /// The current state. Open stays open past its cool-down until the next `acquire()` makes it half-open.
    public var state: State {
        machine.withLock { $0.state }
    }

    /// Whether a call may go upstream now: a permit to settle with the call's outcome, or a rejection with the
    /// milliseconds the caller should wait (what is left of the cool-down).
    public func acquire() -> Admission {
        let closed = closedEpoch.load(ordering: .acquiring)
        if closed != 0 { return .permitted(Permit(breaker: self, epoch: closed - 1, isProbe: false)) }
        let clock = self.clock
        let (grant, mustReport) = machine.withLock { machine in
            let grant = machine.acquire(clock: clock)
            publishFastPath(machine)
            return (grant, machine.claimTransitionReporting())
        }
        if mustReport { reportTransitions() }
        switch grant {
        case .permit(let epoch, let isProbe):
            return .permitted(Permit(breaker: self, epoch: epoch, isProbe: isProbe))
        case .reject(let retryAfterMs):
            return .rejected(retryAfterMs: retryAfterMs)
        }
    }

    /// Counts a permit's outcome; called by `Permit.record(_:)` and by an unsettled permit's deinit.
    func settle(epoch: UInt64, outcome: CallOutcome) {
        if closedEpoch.load(ordering: .acquiring) == epoch &+ 1 {
            // Closed: an ignored outcome is not counted, and a success into a window of successes changes nothing.
            if outcome == .ignored || (outcome == .success && quiet.load(ordering: .acquiring)) { return }
        }
        let clock = self.clock
        let mustReport = machine.withLock { machine in
            machine.settle(permitEpoch: epoch, outcome: outcome, clock: clock)
            publishFastPath(machine)
            return machine.claimTransitionReporting()
        }
        if mustReport { reportTransitions() }
    }

    /// Called under the machine's lock after every change.
    private func publishFastPath(_ machine: CircuitBreakerMachine) {
        closedEpoch.store(machine.state == .closed ? machine.epoch &+ 1 : 0, ordering: .releasing)
        quiet.store(machine.isQuiet, ordering: .releasing)
    }

    /// Reports queued transitions, oldest first, until none is left; only the claimed reporter runs this.
    private func reportTransitions() {
        guard let onTransition else { return }
        while let transition = machine.withLock({ $0.nextTransitionToReport() }) {
            onTransition(transition.from, transition.to)
        }
    }
}
