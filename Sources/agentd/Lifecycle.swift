import Synchronization

/// Where the process is in its life, for readiness: starting, serving, or draining after a signal.
/// Owner: none; an atomic read by the readiness route on any loop.
final class Lifecycle: Sendable {
    enum Phase: UInt8 {
        case starting = 0, serving = 1, draining = 2
    }

    private let phase = Atomic<UInt8>(Phase.starting.rawValue)

    var current: Phase { Phase(rawValue: phase.load(ordering: .relaxed))! }

    func enter(_ next: Phase) { phase.store(next.rawValue, ordering: .relaxed) }

    /// Why the process is not ready, or nil when it is.
    var notReadyReason: String? {
        switch current {
        case .starting: return "starting"
        case .serving: return nil
        case .draining: return "draining"
        }
    }
}
