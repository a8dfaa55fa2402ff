import Agent
import Server

/// What agentd attaches to a request in `ClientGuard` (the server only carries it, `HTTPRequest.application`).
struct GuardedRequest: Sendable {
    /// Who the request is for limits and budgets: an API key's name, or the client address when no keys are
    /// configured. Never a key.
    var client: String?
    /// The budget reservation its call settles.
    var reservation: BudgetReservation?
}

extension HTTPRequest {
    private var guarded: GuardedRequest {
        get { application as? GuardedRequest ?? GuardedRequest() }
        set { application = newValue }
    }

    /// Who the request is for limits and budgets, once `ClientGuard` has decided (nil before, and on routes it
    /// does not guard).
    var client: String? {
        get { guarded.client }
        set { guarded.client = newValue }
    }

    /// The budget reservation `ClientGuard` made for this request, which its call settles (nil: no budget,
    /// or a route that spends no tokens). Kept in the request, so it lives exactly as long as the request's work.
    var reservation: BudgetReservation? {
        get { guarded.reservation }
        set { guarded.reservation = newValue }
    }
}
