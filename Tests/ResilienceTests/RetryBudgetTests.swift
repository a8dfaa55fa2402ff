import Testing
import Resilience

@Suite struct RetryBudgetTests {
    private func budget(_ clock: ManualClock, minimumRetries: Int = 3) -> RetryBudget {
        RetryBudget(ratio: 0.2, windowMs: 60_000, minimumRetries: minimumRetries, clock: clock)
    }

    private func acquired(_ budget: RetryBudget, tries: Int) -> Int {
        (0..<tries).filter { _ in budget.tryAcquireRetry() }.count
    }

    @Test func defaultsAreTheIssues() {
        let budget = RetryBudget(clock: ManualClock())
        #expect(budget.ratio == 0.2)
        #expect(budget.windowMs == 60_000)
        #expect(budget.minimumRetries == 3)
    }

    @Test func aHundredCallsAllowTwentyRetries() {
        let budget = budget(ManualClock())
        for _ in 0..<100 { budget.recordCall() }
        for retry in 1...20 { #expect(budget.tryAcquireRetry(), "retry \(retry) should be allowed") }
        #expect(!budget.tryAcquireRetry())
        #expect(budget.counts == (calls: 100, retries: 20))
    }

    @Test func refusedRetriesAreNotCounted() {
        let budget = budget(ManualClock())
        for _ in 0..<10 { budget.recordCall() }
        #expect(acquired(budget, tries: 50) == 3)
        #expect(budget.counts == (calls: 10, retries: 3))
        for _ in 0..<10 { budget.recordCall() }
        // 20 calls allow 4 retries: one more than the 3 already taken.
        #expect(acquired(budget, tries: 50) == 1)
    }

    @Test func theMinimumAllowsAFewRetriesWithFewCalls() {
        let budget = budget(ManualClock())
        #expect(acquired(budget, tries: 10) == 3)
        let strict = self.budget(ManualClock(), minimumRetries: 0)
        #expect(acquired(strict, tries: 10) == 0)
        for _ in 0..<5 { strict.recordCall() }
        #expect(acquired(strict, tries: 10) == 1)
    }

    @Test func retriesAreAllowedAgainOnceTheWindowSlides() {
        let clock = ManualClock(startMs: 1_000_000)
        let budget = budget(clock)
        for _ in 0..<100 { budget.recordCall() }
        #expect(acquired(budget, tries: 30) == 20)

        clock.advance(byMs: 30_000)
        for _ in 0..<100 { budget.recordCall() }
        // 200 calls in the window allow 40 retries; 20 are taken.
        #expect(acquired(budget, tries: 30) == 20)
        #expect(budget.counts == (calls: 200, retries: 40))

        // A minute after the first calls, they and their retries have left the window.
        clock.advance(byMs: 30_000)
        #expect(budget.counts == (calls: 100, retries: 20))
        #expect(!budget.tryAcquireRetry())

        clock.advance(byMs: 30_000)
        #expect(budget.counts == (calls: 0, retries: 0))
        #expect(acquired(budget, tries: 10) == 3)
    }

    @Test func eventsLeaveTheWindowWithinOneBucket() {
        let clock = ManualClock(startMs: 0)
        let budget = budget(clock)
        budget.recordCall()
        clock.advance(byMs: 59_000)
        #expect(budget.counts.calls == 1)
        clock.advance(byMs: 999)
        #expect(budget.counts.calls == 1)
        clock.advance(byMs: 1)
        #expect(budget.counts.calls == 0)
    }

    @Test func aLongPauseEmptiesTheWindow() {
        let clock = ManualClock(startMs: 1_000_000)
        let budget = budget(clock)
        for _ in 0..<50 { budget.recordCall() }
        #expect(acquired(budget, tries: 20) == 10)
        clock.advance(byMs: 3_600_000)
        #expect(budget.counts == (calls: 0, retries: 0))
    }

    @Test func shortWindowsUseMillisecondBuckets() {
        let clock = ManualClock(startMs: 0)
        let budget = RetryBudget(ratio: 1, windowMs: 10, minimumRetries: 0, clock: clock)
        budget.recordCall()
        #expect(budget.tryAcquireRetry())
        #expect(!budget.tryAcquireRetry())
        clock.advance(byMs: 10)
        #expect(budget.counts == (calls: 0, retries: 0))
    }
}
