import Locks

/// Limits the retries to one provider to a share of its calls over a sliding window, so that an outage does not
/// turn into a retry storm (every client multiplying its load by `maxAttempts` exactly when the upstream is weakest).
///
/// Bound (the retry budget of README.md, API, "Protection and resilience"): retries stay at or under
/// max(`minimumRetries`, `ratio` × calls in the window); with the defaults, 20 % of the calls of the last minute, and
/// always at least 3 so that a quiet provider can still retry a blip. The window is a ring of
/// `RetryBudget.bucketsPerWindow` time buckets (O(1) memory, O(1) operations).
///
/// Owner of the mutable state: one `Locked<RetryBudgetWindow>`; every method takes the lock once, briefly.
/// One budget per provider; share it between all requests to that provider.
public final class RetryBudget: Sendable {
    /// The share of calls that may be retries, in [0, 1].
    public let ratio: Double
    /// How far back calls and retries count, in milliseconds.
    public let windowMs: Int64
    /// Retries always allowed in a window, whatever the number of calls.
    public let minimumRetries: Int

    public static let defaultRatio = 0.2
    public static let defaultWindowMs: Int64 = 60_000
    public static let defaultMinimumRetries = 3
    /// The window's resolution: a minute in one-second buckets.
    public static let bucketsPerWindow = 60
    /// The ratio is applied in integer millionths, so that 20 % of 100 calls is exactly 20, never 19.999….
    private static let ratioScale = 1_000_000

    private let ratioInMillionths: Int
    private let clock: any TimeSource
    private let window: Locked<RetryBudgetWindow>
    /// Calls are counted per thread (each slot its own lock and cache line) and moved into the window in batches
    /// of `callsPerFold`, when their bucket ends, and before every retry decision: counting a call, which every
    /// request does, then takes no lock that other event loops take.
    private let pending: [Locked<PendingCalls>]
    private let bucketWidthMs: Int64
    static let pendingSlots = 8
    static let callsPerFold = 16

    public init(
        ratio: Double = RetryBudget.defaultRatio,
        windowMs: Int64 = RetryBudget.defaultWindowMs,
        minimumRetries: Int = RetryBudget.defaultMinimumRetries,
        clock: any TimeSource
    ) {
        precondition(ratio >= 0 && ratio <= 1, "ratio is the share of calls that may be retries, between 0 and 1")
        precondition(windowMs >= 1, "windowMs is how far back calls count; it must be at least 1 ms")
        precondition(minimumRetries >= 0, "minimumRetries cannot be negative")
        self.ratio = ratio
        self.windowMs = windowMs
        self.minimumRetries = minimumRetries
        self.ratioInMillionths = Int((ratio * Double(Self.ratioScale)).rounded())
        self.clock = clock
        let window = RetryBudgetWindow(windowMs: windowMs, maxBucketCount: Self.bucketsPerWindow, nowMs: clock.nowMs)
        bucketWidthMs = window.bucketWidthMs
        self.window = Locked(window)
        pending = (0..<Self.pendingSlots).map { _ in Locked(PendingCalls()) }
    }

    /// Counts a first attempt of a call to the provider. Retries are not calls: they are counted by `tryAcquireRetry()`.
    public func recordCall() {
        let nowMs = clock.nowMs
        let bucketWidthMs = self.bucketWidthMs
        let bucket = nowMs >= 0 ? nowMs / bucketWidthMs : (nowMs - bucketWidthMs + 1) / bucketWidthMs
        let carried = pending[ThreadSlot.current & (RetryBudget.pendingSlots - 1)].withLock { slot -> PendingCalls? in
            if slot.count > 0 && slot.bucket == bucket && slot.count < RetryBudget.callsPerFold {
                slot.count += 1
                return nil
            }
            let carried = slot.count > 0 ? slot : nil
            slot = PendingCalls(bucket: bucket, count: 1)
            return carried
        }
        if let carried { fold(carried, nowMs: nowMs) }
    }

    /// Calls of one bucket counted by one thread, not yet in the window.
    struct PendingCalls {
        var bucket: Int64 = 0
        var count = 0
    }

    private func fold(_ calls: PendingCalls, nowMs: Int64) {
        let madeAtMs = calls.bucket * bucketWidthMs
        window.withLock { $0.addCalls(calls.count, madeAtMs: madeAtMs, nowMs: nowMs) }
    }

    /// Moves every thread's pending calls into the window, each into the bucket it was made in.
    private func foldAll(nowMs: Int64) {
        for slot in pending {
            let carried = slot.withLock { slot -> PendingCalls? in
                guard slot.count > 0 else { return nil }
                defer { slot = PendingCalls() }
                return slot
            }
            if let carried { fold(carried, nowMs: nowMs) }
        }
    }

    /// Takes one retry from the budget if, with it, retries in the window stay within the allowance; false leaves
    /// the budget untouched and means "do not retry".
    public func tryAcquireRetry() -> Bool {
        let nowMs = clock.nowMs
        foldAll(nowMs: nowMs)
        return window.withLock { window in
            window.slide(toMs: nowMs)
            guard window.totals.retries + 1 <= allowance(calls: window.totals.calls) else { return false }
            window.addRetry(atMs: nowMs)
            return true
        }
    }

    /// Calls and retries currently in the window, for metrics and tests.
    public var counts: (calls: Int, retries: Int) {
        let nowMs = clock.nowMs
        foldAll(nowMs: nowMs)
        return window.withLock { window in
            window.slide(toMs: nowMs)
            return (window.totals.calls, window.totals.retries)
        }
    }

    /// Retries allowed in a window holding `calls` calls.
    private func allowance(calls: Int) -> Int {
        let (product, overflow) = calls.multipliedReportingOverflow(by: ratioInMillionths)
        let share = overflow ? calls / Self.ratioScale * ratioInMillionths : product / Self.ratioScale
        return max(minimumRetries, share)
    }
}
