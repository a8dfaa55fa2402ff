import Testing
import Resilience

/// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): a seeded,
/// deterministic generator, so that jitter tests give the same numbers on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()
    static let samplesPerAttempt = 2_000

    @Test func defaultsAreTheContracts() {
        #expect(policy.maxAttempts == 3)
        #expect(policy.baseDelayMs == 500)
        #expect(policy.maxDelayMs == 8_000)
    }

    @Test func backoffCeilingDoublesUpToTheCap() {
        let ceilings = (1...7).map { policy.backoffCeilingMs(afterAttempt: $0) }
        #expect(ceilings == [500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000])
    }

    @Test func jitterStaysWithinItsBoundAndReachesNearIt() {
        var random = SplitMix64(seed: 42)
        for attempt in 1...6 {
            let bound = min(8_000, 500 << (attempt - 1))
            var largest = 0
            var smallest = Int.max
            for _ in 0..<Self.samplesPerAttempt {
                let delay = policy.delayMs(afterAttempt: attempt, retryAfterMs: nil, using: &random)
                #expect(delay >= 0 && delay <= bound, "attempt \(attempt): \(delay) outside [0, \(bound)]")
                largest = max(largest, delay)
                smallest = min(smallest, delay)
            }
            // Full jitter spreads over the whole range, not just near the bound.
            #expect(largest >= bound * 9 / 10, "attempt \(attempt): largest \(largest) of bound \(bound)")
            #expect(smallest <= bound / 10, "attempt \(attempt): smallest \(smallest) of bound \(bound)")
        }
    }

    @Test func sameSeedGivesSameDelays() {
        var first = SplitMix64(seed: 7)
        var second = SplitMix64(seed: 7)
        let one = (1...20).map { policy.delayMs(afterAttempt: $0 % 5 + 1, retryAfterMs: nil, using: &first) }
        let two = (1...20).map { policy.delayMs(afterAttempt: $0 % 5 + 1, retryAfterMs: nil, using: &second) }
        #expect(one == two)
    }

    @Test func largeAttemptsDoNotOverflow() {
        var random = SplitMix64(seed: 1)
        #expect(policy.backoffCeilingMs(afterAttempt: 40) == 8_000)
        #expect(policy.backoffCeilingMs(afterAttempt: 64) == 8_000)
        #expect(policy.backoffCeilingMs(afterAttempt: Int.max) == 8_000)
        for _ in 0..<100 {
            let delay = policy.delayMs(afterAttempt: 40, retryAfterMs: nil, using: &random)
            #expect(delay >= 0 && delay <= 8_000)
        }
        let huge = RetryPolicy(maxAttempts: 3, baseDelayMs: Int.max / 2, maxDelayMs: Int.max)
        #expect(huge.backoffCeilingMs(afterAttempt: 3) == Int.max)
    }

    @Test func retryAfterIsAFloor() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<100 {
            // Attempt 1's jitter is at most 500, so the upstream's 1000 always wins.
            #expect(policy.delayMs(afterAttempt: 1, retryAfterMs: 1_000, using: &random) == 1_000)
            #expect(policy.delayMs(afterAttempt: 4, retryAfterMs: 1_000, using: &random) >= 1_000)
        }
    }

    @Test func retryAfterAboveTheCapIsCapped() {
        var random = SplitMix64(seed: 4)
        #expect(policy.delayMs(afterAttempt: 1, retryAfterMs: 60_000, using: &random) == 8_000)
        #expect(policy.delayMs(afterAttempt: 1, retryAfterMs: -5, using: &random) <= 500)
    }

    @Test func zeroBaseNeverWaits() {
        var random = SplitMix64(seed: 5)
        let eager = RetryPolicy(maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0)
        #expect(eager.delayMs(afterAttempt: 2, retryAfterMs: nil, using: &random) == 0)
        #expect(eager.delayMs(afterAttempt: 2, retryAfterMs: 3_000, using: &random) == 0)
    }

    @Test func retryableStatusesAreTheContractsList() {
        for status in [408, 409, 429, 500, 502, 503, 504, 529] {
            #expect(RetryPolicy.isRetryableStatus(status), "\(status) should be retried")
        }
        for status in [200, 400, 401, 403, 404, 413, 422, 501, 505] {
            #expect(!RetryPolicy.isRetryableStatus(status), "\(status) should not be retried")
        }
    }

    @Test func failuresCarryTheirReasonAndRetryAfter() {
        #expect(RetryableFailure.status(503, retryAfterMs: 2_000)
            == RetryableFailure(isRetryable: true, retryAfterMs: 2_000, reason: "status_503"))
        #expect(RetryableFailure.status(404) == RetryableFailure(isRetryable: false, reason: "status_404"))
        #expect(RetryableFailure.status(429, quotaExhausted: true)
            == RetryableFailure(isRetryable: false, reason: "quota_exhausted"))
        #expect(RetryableFailure.timeout.isRetryable && RetryableFailure.timeout.reason == "timeout")
        #expect(RetryableFailure.connection.isRetryable && RetryableFailure.connection.reason == "connection")
    }
}

@Suite struct RetryDecisionTests {
    let policy = RetryPolicy()
    /// Attempt 1's jitter is at most 500 ms, so a Retry-After of 1000 ms makes the wait exactly 1000 ms.
    let waitOneSecond = RetryableFailure(isRetryable: true, retryAfterMs: 1_000, reason: "status_503")

    private func decide(
        attempt: Int = 1,
        failure: RetryableFailure,
        clientHasBytes: Bool = false,
        nowMs: Int64 = 0,
        deadlineMs: Int64? = nil,
        budget: RetryBudget? = nil
    ) -> RetryDecision {
        var random = SplitMix64(seed: 11)
        return policy.decide(
            attempt: attempt, failure: failure, clientHasBytes: clientHasBytes,
            nowMs: nowMs, deadlineMs: deadlineMs, budget: budget, using: &random
        )
    }

    @Test func retryableFailureIsRetriedAfterTheJitteredDelay() {
        var random = SplitMix64(seed: 11)
        let expected = policy.delayMs(afterAttempt: 2, retryAfterMs: nil, using: &random)
        #expect(decide(attempt: 2, failure: .timeout) == .retry(afterMs: expected))
        #expect(decide(failure: waitOneSecond) == .retry(afterMs: 1_000))
    }

    @Test func notRetryableStops() {
        #expect(decide(failure: .status(400)) == .stop(.notRetryable))
        #expect(decide(failure: .status(429, quotaExhausted: true)) == .stop(.notRetryable))
    }

    @Test func attemptsRunOutAtMaxAttempts() {
        #expect(decide(attempt: 2, failure: .connection) != .stop(.attemptsExhausted))
        #expect(decide(attempt: 3, failure: .connection) == .stop(.attemptsExhausted))
        #expect(decide(attempt: 9, failure: .connection) == .stop(.attemptsExhausted))
        var random = SplitMix64(seed: 1)
        let once = RetryPolicy(maxAttempts: 1)
        #expect(once.decide(attempt: 1, failure: .timeout, clientHasBytes: false, nowMs: 0, deadlineMs: nil,
                            budget: nil, using: &random) == .stop(.attemptsExhausted))
    }

    @Test func bytesSentToTheClientStopEverything() {
        #expect(decide(failure: .connection, clientHasBytes: true) == .stop(.clientHasBytes))
        #expect(decide(failure: .status(400), clientHasBytes: true) == .stop(.clientHasBytes))
    }

    @Test func aWaitEndingAtOrAfterTheDeadlineStops() {
        #expect(decide(failure: waitOneSecond, nowMs: 5_000, deadlineMs: 5_999) == .stop(.pastDeadline))
        #expect(decide(failure: waitOneSecond, nowMs: 5_000, deadlineMs: 6_000) == .stop(.pastDeadline))
        #expect(decide(failure: waitOneSecond, nowMs: 5_000, deadlineMs: 6_001) == .retry(afterMs: 1_000))
        #expect(decide(failure: waitOneSecond, nowMs: 7_000, deadlineMs: 6_001) == .stop(.pastDeadline))
    }

    @Test func anEmptyBudgetStops() {
        let budget = RetryBudget(ratio: 0.2, windowMs: 60_000, minimumRetries: 1, clock: ManualClock())
        #expect(decide(failure: .timeout, budget: budget) != .stop(.budgetExhausted))
        #expect(decide(failure: .timeout, budget: budget) == .stop(.budgetExhausted))
        #expect(budget.counts.retries == 1)
    }

    @Test func theBudgetIsOnlyChargedWhenEveryOtherRuleSaysRetry() {
        let budget = RetryBudget(ratio: 0.2, windowMs: 60_000, minimumRetries: 1, clock: ManualClock())
        #expect(decide(failure: waitOneSecond, nowMs: 0, deadlineMs: 10, budget: budget) == .stop(.pastDeadline))
        #expect(decide(attempt: 3, failure: .timeout, budget: budget) == .stop(.attemptsExhausted))
        #expect(decide(failure: .status(404), budget: budget) == .stop(.notRetryable))
        #expect(decide(failure: .timeout, clientHasBytes: true, budget: budget) == .stop(.clientHasBytes))
        #expect(budget.counts.retries == 0)
        #expect(decide(failure: waitOneSecond, budget: budget) == .retry(afterMs: 1_000))
        #expect(budget.counts.retries == 1)
    }

    @Test func stopReasonsHaveMetricLabels() {
        #expect(RetryStopReason.allCases.map(\.rawValue)
            == ["not_retryable", "attempts_exhausted", "client_has_bytes", "past_deadline", "budget_exhausted"])
    }
}
