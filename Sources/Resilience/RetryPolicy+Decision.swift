extension RetryPolicy {
    /// Whether to try a failed call again, gathering every retry rule agentd promises in one place (README.md,
    /// API, "Protection and resilience"; docs/api.md, Server-Sent Events and Timeouts).
    ///
    /// The rules, in the order they are checked (the first that applies gives the reason):
    /// 1. bytes already went to the client → `.clientHasBytes` (a retry cannot be spliced into a started answer);
    /// 2. the failure is not retryable → `.notRetryable`;
    /// 3. `attempt` (the try that just failed, from 1) reached `maxAttempts` → `.attemptsExhausted`;
    /// 4. the wait would end at or after `deadlineMs` → `.pastDeadline` (a retry that starts at its deadline
    ///    has no time to do anything, so "at" counts as past);
    /// 5. the retry budget refuses → `.budgetExhausted`.
    ///
    /// The budget is asked last because asking consumes a retry: a retry is taken from it only when every other
    /// rule said yes. `nowMs` and `deadlineMs` are readings of the same monotonic clock.
    public func decide(
        attempt: Int,
        failure: RetryableFailure,
        clientHasBytes: Bool,
        nowMs: Int64,
        deadlineMs: Int64?,
        budget: RetryBudget?,
        using random: inout some RandomNumberGenerator
    ) -> RetryDecision {
        precondition(attempt >= 1, "attempts count from 1: the first try that failed is attempt 1")
        if clientHasBytes { return .stop(.clientHasBytes) }
        if !failure.isRetryable { return .stop(.notRetryable) }
        if attempt >= maxAttempts { return .stop(.attemptsExhausted) }
        let waitMs = delayMs(afterAttempt: attempt, retryAfterMs: failure.retryAfterMs, using: &random)
        if let deadlineMs, nowMs + Int64(waitMs) >= deadlineMs { return .stop(.pastDeadline) }
        if let budget, !budget.tryAcquireRetry() { return .stop(.budgetExhausted) }
        return .retry(afterMs: waitMs)
    }
}
