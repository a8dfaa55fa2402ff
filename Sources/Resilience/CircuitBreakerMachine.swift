/// The circuit breaker's state machine as a plain value: closed ⇄ open → half-open → closed or open.
///
/// Owner: the `Locked` of one `CircuitBreaker`, which serialises every call; the machine itself knows nothing of
/// threads. It also queues the transitions to report, under the same lock, so that they are reported in the
/// order they happened (see `CircuitBreaker.reportTransitions()`). Every operation is O(1) and does not allocate,
/// except appending to the report queue on a transition, which is rare.
struct CircuitBreakerMachine {
    typealias State = CircuitBreaker.State

    struct Transition: Equatable {
        var from: State
        var to: State
    }

    /// What `acquire` decided: a permit stamped with the current epoch, or a rejection.
    enum Grant: Equatable {
        case permit(epoch: UInt64, isProbe: Bool)
        case reject(retryAfterMs: Int)
    }

    let configuration: CircuitBreaker.Configuration
    let busyProbesRetryAfterMs: Int
    private(set) var state = State.closed
    /// Bumped on every transition; permits carry the epoch they were issued in, so that the outcome of a call
    /// that started in an earlier state (a closed-state call ending after the breaker opened) is not counted.
    private(set) var epoch: UInt64 = 0
    private var outcomes: OutcomeWindow
    private var openedAtMs: Int64 = 0
    private var probesInFlight = 0
    private var probeSuccesses = 0

    private let queuesTransitions: Bool
    private var transitionsToReport: [Transition] = []
    private var isReportingTransitions = false

    /// How many transitions the report queue holds without growing: more pile up only if the callback is slow.
    private static let reportQueueCapacity = 4

    init(configuration: CircuitBreaker.Configuration, busyProbesRetryAfterMs: Int, queuesTransitions: Bool) {
        self.configuration = configuration
        self.busyProbesRetryAfterMs = busyProbesRetryAfterMs
        self.queuesTransitions = queuesTransitions
        outcomes = OutcomeWindow(capacity: configuration.window)
        if queuesTransitions { transitionsToReport.reserveCapacity(Self.reportQueueCapacity) }
    }

    /// Whether a call may go upstream now. Open past its cool-down becomes half-open here.
    mutating func acquire(clock: any TimeSource) -> Grant {
        switch state {
        case .closed:
            return .permit(epoch: epoch, isProbe: false)
        case .open:
            let nowMs = clock.nowMs
            let leftMs = openedAtMs + configuration.openMs - nowMs
            if leftMs > 0 { return .reject(retryAfterMs: Int(leftMs)) }
            move(to: .halfOpen, nowMs: nowMs)
            return takeProbeSlot()
        case .halfOpen:
            return takeProbeSlot()
        }
    }

    /// Counts the outcome of a call whose permit was issued in `permitEpoch`.
    mutating func settle(permitEpoch: UInt64, outcome: CircuitBreaker.CallOutcome, clock: any TimeSource) {
        guard permitEpoch == epoch else { return }
        switch state {
        case .closed:
            guard outcome != .ignored else { return }
            outcomes.add(isFailure: outcome == .failure)
            if outcomes.count >= configuration.minimumCalls,
               Double(outcomes.failures) / Double(outcomes.count) >= configuration.failureRate {
                move(to: .open, nowMs: clock.nowMs)
            }
        case .halfOpen:
            // The epoch changed on entering half-open, so a permit of this epoch is a probe.
            probesInFlight -= 1
            switch outcome {
            case .success:
                probeSuccesses += 1
                if probeSuccesses >= configuration.halfOpenCalls { move(to: .closed, nowMs: 0) }
            case .failure:
                move(to: .open, nowMs: clock.nowMs)
            case .ignored:
                break
            }
        case .open:
            // No permit is issued while open, and opening bumps the epoch: nothing of this epoch to count.
            break
        }
    }

    /// If transitions wait to be reported and nobody is reporting them, makes the caller the reporter.
    /// Closed with a full window of successes only: one more success changes nothing (it replaces a success).
    var isQuiet: Bool {
        state == .closed && outcomes.count == outcomes.capacity && outcomes.failures == 0
    }

    mutating func claimTransitionReporting() -> Bool {
        guard !transitionsToReport.isEmpty, !isReportingTransitions else { return false }
        isReportingTransitions = true
        return true
    }

    /// The oldest unreported transition; nil (and the reporter's role given up) when there is none.
    mutating func nextTransitionToReport() -> Transition? {
        if transitionsToReport.isEmpty {
            isReportingTransitions = false
            return nil
        }
        return transitionsToReport.removeFirst()
    }

    private mutating func takeProbeSlot() -> Grant {
        guard probesInFlight + probeSuccesses < configuration.halfOpenCalls else {
            return .reject(retryAfterMs: busyProbesRetryAfterMs)
        }
        probesInFlight += 1
        return .permit(epoch: epoch, isProbe: true)
    }

    private mutating func move(to newState: State, nowMs: Int64) {
        if queuesTransitions { transitionsToReport.append(Transition(from: state, to: newState)) }
        state = newState
        epoch &+= 1
        switch newState {
        case .open:
            openedAtMs = nowMs
            outcomes.removeAll()
        case .halfOpen:
            probesInFlight = 0
            probeSuccesses = 0
        case .closed:
            outcomes.removeAll()
        }
    }
}
