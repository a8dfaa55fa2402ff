import Synchronization

extension CircuitBreaker {
    /// The answer of `acquire()`: go upstream with a permit, or do not, and tell the client when to come back.
    public enum Admission: Sendable {
        /// The call may go upstream; settle the permit with its outcome.
        case permitted(Permit)
        /// The call must not go upstream. `retryAfterMs` is what is left of the cool-down when open, or
        /// `CircuitBreaker.busyProbesRetryAfterMs` when half-open with every probe slot taken.
        case rejected(retryAfterMs: Int)

        /// The permit, or nil when rejected.
        public var permit: Permit? {
            if case .permitted(let permit) = self { return permit }
            return nil
        }
    }

    /// How a call that went upstream ended, as far as the breaker is concerned.
    public enum CallOutcome: Sendable, Equatable {
        /// The upstream answered properly.
        case success
        /// The upstream is unwell: connection error, timeout, 408, 5xx, 529.
        case failure
        /// Says nothing about the upstream's health: client errors (4xx other than 408), throttling (429),
        /// cancellation by our own client. Not counted either way; a half-open probe's slot is freed.
        case ignored

        /// The outcome of a call the upstream answered with this HTTP status. 408 means the upstream timed out
        /// waiting, so it counts against it; 429 is throttling of this account, not sickness of the upstream.
        public static func forStatus(_ status: Int) -> CallOutcome {
            switch status {
            case ..<400: return .success
            case 408: return .failure
            case 400..<500: return .ignored
            default: return .failure
            }
        }
    }

    /// Leave to make one call upstream; settle it exactly once with `record(_:)`.
    ///
    /// A class so that settling is tracked per permit: the flag is an atomic owned by the permit. Settling twice
    /// is a precondition failure. A permit released without being settled (an error thrown past it, a task
    /// cancelled) counts as `.ignored`, so that a lost probe cannot keep a half-open breaker's slot forever.
    /// A permit from before a transition is stale: its outcome no longer counts.
    public final class Permit: Sendable {
        private let breaker: CircuitBreaker
        private let epoch: UInt64
        /// Whether this call is one of the half-open breaker's probes.
        public let isProbe: Bool
        private let settled = Atomic<Bool>(false)

        init(breaker: CircuitBreaker, epoch: UInt64, isProbe: Bool) {
            self.breaker = breaker
            self.epoch = epoch
            self.isProbe = isProbe
        }

        /// Reports how the call ended. Call exactly once per permit.
        public func record(_ outcome: CallOutcome) {
            let (first, _) = settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
            precondition(first, "a circuit breaker permit is settled exactly once: record one outcome per call")
            breaker.settle(epoch: epoch, outcome: outcome)
        }

        deinit {
            if !settled.load(ordering: .acquiring) {
                breaker.settle(epoch: epoch, outcome: .ignored)
            }
        }
    }
}
