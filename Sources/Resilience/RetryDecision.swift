/// The answer of `RetryPolicy.decide(…)`: try again after a wait, or give up and say why.
public enum RetryDecision: Sendable, Equatable {
    /// Wait this many milliseconds, then send the request again. A retry from the budget is already taken.
    case retry(afterMs: Int)
    /// Do not try again; the caller returns the last failure to its client.
    case stop(RetryStopReason)
}

/// Why a failed call is not tried again. The raw values are metric label values.
public enum RetryStopReason: String, Sendable, Equatable, CaseIterable {
    /// The failure is of a kind another try will not cure (most 4xx, a spent quota).
    case notRetryable = "not_retryable"
    /// The call already had `maxAttempts` tries.
    case attemptsExhausted = "attempts_exhausted"
    /// Bytes of the answer already went to the client: a retry would send it a second, different answer.
    case clientHasBytes = "client_has_bytes"
    /// The wait would end at or after the request's deadline, leaving the retry no time.
    case pastDeadline = "past_deadline"
    /// The provider's retry budget is spent: too many retries lately, most likely an outage.
    case budgetExhausted = "budget_exhausted"
}
