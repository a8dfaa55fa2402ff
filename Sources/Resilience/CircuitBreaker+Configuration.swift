extension CircuitBreaker {
    /// When a breaker opens, for how long, and how it tests the upstream before closing again.
    ///
    /// Defaults are docs/configuration.md's: AGENTD_BREAKER_FAILURE_RATE (50 %), AGENTD_BREAKER_WINDOW (20 calls),
    /// AGENTD_BREAKER_MIN_CALLS (10), AGENTD_BREAKER_OPEN_MS (30000), AGENTD_BREAKER_HALF_OPEN_CALLS (3).
    public struct Configuration: Sendable, Equatable {
        /// Failures / calls in the window at or above which the breaker opens, in (0, 1].
        public var failureRate: Double
        /// How many of the latest calls the failure rate is computed over.
        public var window: Int
        /// Calls the window must hold before the rate may open the breaker: a few early failures prove little.
        public var minimumCalls: Int
        /// How long an open breaker rejects calls before it lets probes through, in milliseconds.
        public var openMs: Int64
        /// Probes a half-open breaker lets through; all must succeed for it to close.
        public var halfOpenCalls: Int

        public static let defaultFailureRate = 0.5
        public static let defaultWindow = 20
        public static let defaultMinimumCalls = 10
        public static let defaultOpenMs: Int64 = 30_000
        public static let defaultHalfOpenCalls = 3

        public init(
            failureRate: Double = Configuration.defaultFailureRate,
            window: Int = Configuration.defaultWindow,
            minimumCalls: Int = Configuration.defaultMinimumCalls,
            openMs: Int64 = Configuration.defaultOpenMs,
            halfOpenCalls: Int = Configuration.defaultHalfOpenCalls
        ) {
            precondition(failureRate > 0 && failureRate <= 1, "failureRate is a share of calls in (0, 1]; 0 would open on the first call")
            precondition(window >= 1, "window counts calls; it must be at least 1")
            precondition(minimumCalls >= 1 && minimumCalls <= window,
                         "minimumCalls must be between 1 and window, or the breaker could never open")
            precondition(openMs >= 0, "openMs is a duration and cannot be negative")
            precondition(halfOpenCalls >= 1, "halfOpenCalls must be at least 1, or a half-open breaker could never close")
            self.failureRate = failureRate
            self.window = window
            self.minimumCalls = minimumCalls
            self.openMs = openMs
            self.halfOpenCalls = halfOpenCalls
        }
    }
}
