/// Whether a key may make another call today, from `TokenBudget.check`.
///
/// A refusal is the 429 `budget_exceeded` of docs/api.md ("Rate limits and budgets"), with
/// `Retry-After: retryAfterSeconds` (RFC 9110 §10.2.3).
public struct BudgetDecision: Sendable, Equatable {
    /// False once the key has used its whole daily budget.
    public let allowed: Bool
    /// Tokens left today; `Int.max` when there is no budget (`dailyTokens` 0), 0 when refused.
    public let remaining: Int
    /// Whole seconds until the next UTC midnight, rounded up, when refused; 0 when allowed.
    public let retryAfterSeconds: Int

    public init(allowed: Bool, remaining: Int, retryAfterSeconds: Int) {
        self.allowed = allowed
        self.remaining = remaining
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// No budget is configured: always allowed.
    public static let unlimited = BudgetDecision(allowed: true, remaining: Int.max, retryAfterSeconds: 0)
}
