/// Retries, breakers, fallbacks, keys, limits, budgets, prices and the cache, from the environment
/// (docs/api.md, Authentication, "Rate limits and budgets" and "Response cache"; README.md, API, "Protection and
/// resilience").
struct ProtectionSettings: Sendable {
    var retryMaxAttempts: Int = Configuration.Variable.retryMaxAttempts.defaultValue
    var retryBaseMs: Int = Configuration.Variable.retryBaseMs.defaultValue
    var retryMaxMs: Int = Configuration.Variable.retryMaxMs.defaultValue
    var breakerFailureRatePercent: Int = Configuration.Variable.breakerFailureRatePercent.defaultValue
    var breakerWindow: Int = Configuration.Variable.breakerWindow.defaultValue
    var breakerMinCalls: Int = Configuration.Variable.breakerMinCalls.defaultValue
    var breakerOpenMs: Int = Configuration.Variable.breakerOpenMs.defaultValue
    var breakerHalfOpenCalls: Int = Configuration.Variable.breakerHalfOpenCalls.defaultValue
    var fallbackModels: [String] = []
    /// AGENTD_API_KEYS: plain keys; secret, never printed.
    var apiKeys: [String] = []
    var apiKeysFile: String?
    /// AGENTD_METRICS_TOKEN; secret.
    var metricsToken: String?
    var rateLimitPerSecond: Double = Configuration.Variable.rateLimitPerSecond.defaultValue
    var rateLimitBurst: Int = Configuration.Variable.rateLimitBurst.defaultValue
    var dailyTokenBudget: Int = Configuration.Variable.dailyTokenBudget.defaultValue
    var pricesFile: String?
    var cacheTTLS: Int = Configuration.Variable.cacheTTLS.defaultValue
    var cacheMaxEntries: Int = Configuration.Variable.cacheMaxEntries.defaultValue
    var logBodies = false
    /// AGENTD_CORS_ORIGINS: origins allowed to call the API from a browser (`*`: any); empty: CORS off.
    var corsOrigins: [String] = []

    /// Whether any API key is configured (plain or from the file).
    var hasKeys: Bool { !apiKeys.isEmpty || apiKeysFile != nil }
}
