import Synchronization

/// Tokens held against a key's daily budget for one call, until the call settles them.
///
/// Owner: none; `settled` is atomic, so `settle` takes effect once from any thread. `settle(usedTokens:)`
/// charges what the call used and releases the rest. A reservation that is never settled (a request that
/// failed before its upstream call, a cancelled one) releases everything when the last reference to it goes
/// away, so no code path can leak held tokens. With Redis the hold also expires on its own (a replica that
/// died holding it cannot shrink the budget for the rest of the day).
public final class BudgetReservation: Sendable {
    public let key: String
    public let tokens: Int
    private let settled = Atomic<Bool>(false)
    private let release: @Sendable (_ usedTokens: Int) -> Void

    /// `release` puts back the hold and charges `usedTokens`; it runs exactly once.
    public init(key: String, tokens: Int, release: @escaping @Sendable (_ usedTokens: Int) -> Void) {
        self.key = key
        self.tokens = tokens
        self.release = release
    }

    deinit {
        if !settled.load(ordering: .acquiring) { release(0) }
    }

    /// Charges `usedTokens` (input + output the upstream reported) and releases the hold; later calls are ignored.
    public func settle(usedTokens: Int) {
        precondition(usedTokens >= 0, "settle with the tokens the call used (input + output), never a negative count")
        guard !settled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        release(usedTokens)
    }
}
