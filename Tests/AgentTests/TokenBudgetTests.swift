@testable import Agent
import Resilience
import Testing

/// The daily token budget: refusal with Retry-After until UTC midnight, the reset, and the bound on keys.
@Suite struct TokenBudgetTests {
    /// 2025-01-15 is day 20,103 since the Unix epoch.
    static let dayMs: Int64 = 20_103 * 86_400_000
    static func at(hour: Int64, minute: Int64, second: Int64 = 0) -> Int64 {
        dayMs + ((hour * 60 + minute) * 60 + second) * 1_000
    }

    @Test func spentBudgetIsRefusedUntilMidnight() {
        let clock = ManualClock(unixMs: Self.at(hour: 9, minute: 0))
        let budget = TokenBudget(dailyTokens: 1_000, clock: clock)
        #expect(budget.check("k") == BudgetDecision(allowed: true, remaining: 1_000, retryAfterSeconds: 0))
        budget.record("k", tokens: 400)
        #expect(budget.check("k") == BudgetDecision(allowed: true, remaining: 600, retryAfterSeconds: 0))
        budget.record("k", tokens: 600)
        clock.set(unixMs: Self.at(hour: 23, minute: 59))
        #expect(budget.check("k") == BudgetDecision(allowed: false, remaining: 0, retryAfterSeconds: 60))
        clock.advance(byMs: 59_001)
        #expect(budget.check("k").retryAfterSeconds == 1, "rounded up, never 0 while refused")
        clock.set(unixMs: Self.dayMs + 86_400_000)
        #expect(budget.check("k") == BudgetDecision(allowed: true, remaining: 1_000, retryAfterSeconds: 0))
    }

    @Test func newDayResetsUsageOnRecord() {
        let clock = ManualClock(unixMs: Self.at(hour: 12, minute: 0))
        let budget = TokenBudget(dailyTokens: 1_000, clock: clock)
        budget.record("k", tokens: 900)
        clock.advance(byMs: 86_400_000)
        budget.record("k", tokens: 100)
        #expect(budget.check("k").remaining == 900)
        #expect(budget.count == 1)
    }

    @Test func keysAreIndependent() {
        let budget = TokenBudget(dailyTokens: 1_000, clock: ManualClock(unixMs: Self.at(hour: 8, minute: 30)))
        budget.record("a", tokens: 1_000)
        budget.record("b", tokens: 250)
        #expect(!budget.check("a").allowed)
        #expect(budget.check("b") == BudgetDecision(allowed: true, remaining: 750, retryAfterSeconds: 0))
        #expect(budget.check("c").remaining == 1_000)
        #expect(budget.count == 2, "check never adds a key")
    }

    @Test func lastCallMayOverspend() {
        let budget = TokenBudget(dailyTokens: 1_000, clock: ManualClock(unixMs: Self.at(hour: 10, minute: 0)))
        budget.record("k", tokens: 990)
        // Checked before the call (10 left), recorded after it with what the upstream reported.
        #expect(budget.check("k").allowed)
        budget.record("k", tokens: 500)
        #expect(budget.check("k") == BudgetDecision(allowed: false, remaining: 0, retryAfterSeconds: 14 * 3_600))
        budget.record("k", tokens: Int.max)
        #expect(!budget.check("k").allowed, "usage saturates instead of wrapping around")
    }

    @Test func zeroBudgetIsUnlimited() {
        let budget = TokenBudget(dailyTokens: 0, clock: ManualClock(unixMs: Self.dayMs))
        budget.record("k", tokens: 1_000_000)
        #expect(budget.check("k") == .unlimited)
        #expect(budget.count == 0)
    }

    @Test func smallestUsersLeaveWhenFull() {
        let budget = TokenBudget(dailyTokens: 1_000, clock: ManualClock(unixMs: Self.at(hour: 10, minute: 0)), maxKeys: 4)
        budget.record("a", tokens: 400)
        budget.record("b", tokens: 100)
        budget.record("c", tokens: 300)
        budget.record("d", tokens: 200)
        budget.record("e", tokens: 50)
        #expect(budget.count == 4)
        #expect(budget.check("b").remaining == 1_000, "the smallest user was dropped")
        #expect(budget.check("a").remaining == 600)
        #expect(budget.check("c").remaining == 700)
        #expect(budget.check("d").remaining == 800)
        #expect(budget.check("e").remaining == 950)
    }

    @Test func pastDaysLeaveFirstWhenFull() {
        let clock = ManualClock(unixMs: Self.at(hour: 22, minute: 0))
        let budget = TokenBudget(dailyTokens: 1_000, clock: clock, maxKeys: 4)
        for key in ["a", "b", "c", "d"] { budget.record(key, tokens: 10) }
        clock.advance(byMs: 3 * 3_600_000)
        budget.record("a", tokens: 1)
        budget.record("e", tokens: 1)
        #expect(budget.count == 2)
        #expect(budget.check("a").remaining == 999)
        #expect(budget.check("e").remaining == 999)
    }

    @Test func dayArithmetic() {
        #expect(TokenBudget.day(ofUnixMs: 0) == 0)
        #expect(TokenBudget.day(ofUnixMs: 86_399_999) == 0)
        #expect(TokenBudget.day(ofUnixMs: 86_400_000) == 1)
        #expect(TokenBudget.day(ofUnixMs: -1) == -1)
        #expect(TokenBudget.secondsUntilNextDay(fromUnixMs: 0) == 86_400)
    }
}
