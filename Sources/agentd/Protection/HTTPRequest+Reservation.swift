import Agent
import Server

extension HTTPRequest {
    /// The budget reservation `ClientGuard` made for this request, which its call settles (nil: no budget,
    /// or a route that spends no tokens). Kept in the request, so it lives exactly as long as the request's work.
    var reservation: BudgetReservation? {
        get { guardState as? BudgetReservation }
        set { guardState = newValue }
    }
}
