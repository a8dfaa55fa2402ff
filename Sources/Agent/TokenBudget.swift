import Resilience
import Locks

/// Tokens each API key may use per UTC day (`AGENTD_DAILY_TOKEN_BUDGET`; 0 = no budget).
///
/// docs/api.md, "Rate limits and budgets": a key that has spent its budget gets 429 `budget_exceeded` with
/// `Retry-After` until the next UTC midnight. `check` runs before the upstream call and `record` after it, with the
/// tokens the upstream reported (input + output): a call that starts under budget is allowed to finish, so the last
/// call of a day may overshoot by at most its own `max_tokens` (`AGENTD_MAX_TOKENS_PER_REQUEST`) plus its
/// input. Keys are the caller's (an API key's id, never the secret itself in logs).
///
/// A new UTC day resets every key lazily: each entry remembers the day of its usage, and usage of a past
/// day counts as none. Memory: at most `maxKeys` entries; `check` never adds one. When `record` needs room,
/// entries of past days leave first (they count as none anyway), then the smallest users of today, a batch of
/// `maxKeys / evictionBatchDivisor` at once so the O(n log n) sort is paid once per many new keys. A key
/// dropped that way starts again from 0: the smallest users gain the least from it.
///
/// Calls reserve before they start (`reserve`, the `TokenBudgeting` seam) and settle after: a call is admitted
/// while today's use plus the outstanding reservations is under the budget, so concurrent calls see each other.
///
/// Owner: one `Locked` dictionary, taken briefly by `check`, `reserve`, `record` and `count`. The clock is read
/// outside the lock.
public final class TokenBudget: Sendable {
    /// A day is 86,400 s in UTC (POSIX time has no leap seconds).
    public static let millisecondsPerDay: Int64 = 86_400_000
    /// When room is needed and every key is from today, 1/8 of `maxKeys` (at least 1) are dropped at once.
    public static let evictionBatchDivisor = 8

    public let dailyTokens: Int
    public let maxKeys: Int

    private let clock: any TimeSource
    private let usage: Locked<[String: Usage]>

    private struct Usage {
        /// Days since the Unix epoch, UTC.
        var day: Int64
        var tokens: Int
        /// Tokens held by calls in flight (`reserve`), released when they settle.
        var reserved = 0
    }

    public init(dailyTokens: Int, clock: any TimeSource = SystemClock(), maxKeys: Int = 100_000) {
        precondition(dailyTokens >= 0, "dailyTokens must be 0 (no budget) or more")
        precondition(maxKeys >= 1, "maxKeys must be at least 1: the budget must remember the key it charges")
        self.dailyTokens = dailyTokens
        self.maxKeys = maxKeys
        self.clock = clock
        usage = Locked([:])
    }

    /// Whether a budget is configured (`dailyTokens` > 0).
    public var isEnabled: Bool { dailyTokens > 0 }

    /// Keys remembered, today's and past days' not yet dropped.
    public var count: Int { usage.withLock { $0.count } }

    /// Whether `key` may make a call now: allowed while it has used less than `dailyTokens` today.
    public func check(_ key: String) -> BudgetDecision {
        guard isEnabled else { return .unlimited }
        let nowMs = clock.nowUnixMs
        let today = Self.day(ofUnixMs: nowMs)
        let used = usage.withLock { usage -> Int in
            guard let entry = usage[key], entry.day == today else { return 0 }
            return Self.saturatingSum(entry.tokens, entry.reserved)
        }
        guard used >= dailyTokens else {
            return BudgetDecision(allowed: true, remaining: dailyTokens - used, retryAfterSeconds: 0)
        }
        return BudgetDecision(allowed: false, remaining: 0, retryAfterSeconds: Self.secondsUntilNextDay(fromUnixMs: nowMs))
    }

    /// Admits a call while today's use plus the outstanding reservations is under the budget, and holds
    /// `tokens` for it until its reservation settles (or is dropped). See `TokenBudgeting`.
    public func reserve(_ key: String, tokens: Int) -> BudgetAdmission {
        precondition(tokens >= 0, "reserve the tokens a call may use (max_tokens plus the input's estimate), never a negative count")
        guard isEnabled else { return BudgetAdmission(decision: .unlimited, reservation: nil) }
        let nowMs = clock.nowUnixMs
        let today = Self.day(ofUnixMs: nowMs)
        let remaining = usage.withLock { usage -> Int? in
            if usage[key] == nil && usage.count >= maxKeys { makeRoom(in: &usage, today: today) }
            var entry = usage[key].flatMap { $0.day == today ? $0 : nil } ?? Usage(day: today, tokens: 0)
            let committed = Self.saturatingSum(entry.tokens, entry.reserved)
            guard committed < dailyTokens else { return nil }
            entry.reserved = Self.saturatingSum(entry.reserved, tokens)
            usage[key] = entry
            return dailyTokens - committed
        }
        guard let remaining else {
            return BudgetAdmission(
                decision: BudgetDecision(allowed: false, remaining: 0, retryAfterSeconds: Self.secondsUntilNextDay(fromUnixMs: nowMs)),
                reservation: nil
            )
        }
        let reservation = BudgetReservation(key: key, tokens: tokens) { [self] used in settle(key, day: today, held: tokens, used: used) }
        return BudgetAdmission(decision: BudgetDecision(allowed: true, remaining: remaining, retryAfterSeconds: 0), reservation: reservation)
    }

    /// Releases a hold made on `day` and charges `used` to today.
    private func settle(_ key: String, day: Int64, held: Int, used: Int) {
        usage.withLock { usage in
            if let index = usage.index(forKey: key), usage.values[index].day == day {
                usage.values[index].reserved = max(0, usage.values[index].reserved - held)
            }
        }
        if used > 0 { record(key, tokens: used) }
    }

    /// Charges `tokens` (input + output of one finished call) to `key` for today.
    public func record(_ key: String, tokens: Int) {
        precondition(tokens >= 0, "record the tokens a call used (input + output), never a negative count")
        guard isEnabled else { return }
        let today = Self.day(ofUnixMs: clock.nowUnixMs)
        usage.withLock { usage in
            if let index = usage.index(forKey: key) {
                let entry = usage.values[index]
                let spent = entry.day == today ? entry.tokens : 0
                let reserved = entry.day == today ? entry.reserved : 0
                usage.values[index] = Usage(day: today, tokens: Self.saturatingSum(spent, tokens), reserved: reserved)
                return
            }
            if usage.count >= maxKeys {
                makeRoom(in: &usage, today: today)
            }
            usage[key] = Usage(day: today, tokens: tokens)
        }
    }

    /// Drops entries of past days; if that frees nothing, today's smallest users, a batch at once.
    private func makeRoom(in usage: inout [String: Usage], today: Int64) {
        usage = usage.filter { $0.value.day == today }
        guard usage.count >= maxKeys else { return }
        let batch = max(1, maxKeys / Self.evictionBatchDivisor)
        let smallest = usage.sorted { $0.value.tokens < $1.value.tokens }.prefix(usage.count - maxKeys + batch)
        for (key, _) in smallest { usage[key] = nil }
    }

    /// Days since the Unix epoch, UTC (floor division, so instants before 1970 land on the right day too).
    static func day(ofUnixMs unixMs: Int64) -> Int64 {
        let (quotient, remainder) = unixMs.quotientAndRemainder(dividingBy: millisecondsPerDay)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// Whole seconds from `unixMs` to the next UTC midnight, rounded up: at least 1.
    static func secondsUntilNextDay(fromUnixMs unixMs: Int64) -> Int {
        let nextMidnightMs = (day(ofUnixMs: unixMs) + 1) * millisecondsPerDay
        return Int((nextMidnightMs - unixMs + 999) / 1_000)
    }

    private static func saturatingSum(_ left: Int, _ right: Int) -> Int {
        let (sum, overflow) = left.addingReportingOverflow(right)
        return overflow ? Int.max : sum
    }
}
