/// Retries, breakers, fallbacks, keys, limits, budgets, prices and the cache, from the environment
/// (docs/api.md, Authentication, "Rate limits and budgets" and "Response cache"; README.md, API, "Protection and
/// resilience").
struct ProtectionSettings: Sendable {
    var retryMaxAttempts = Variable.retryMaxAttempts.defaultValue
    var retryBaseMs = Variable.retryBaseMs.defaultValue
    var retryMaxMs = Variable.retryMaxMs.defaultValue
    var breakerFailureRatePercent = Variable.breakerFailureRatePercent.defaultValue
    var breakerWindow = Variable.breakerWindow.defaultValue
    var breakerMinCalls = Variable.breakerMinCalls.defaultValue
    var breakerOpenMs = Variable.breakerOpenMs.defaultValue
    var breakerHalfOpenCalls = Variable.breakerHalfOpenCalls.defaultValue
    var fallbackModels: [String] = []
    /// AGENTD_API_KEYS: plain keys; secret, never printed.
    var apiKeys: [String] = []
    var apiKeysFile: String?
    /// AGENTD_METRICS_TOKEN; secret.
    var metricsToken: String?
    var rateLimitPerSecond = Variable.rateLimitPerSecond.defaultValue
    var rateLimitBurst = Variable.rateLimitBurst.defaultValue
    var dailyTokenBudget = Variable.dailyTokenBudget.defaultValue
    var pricesFile: String?
    var cacheTTLS = Variable.cacheTTLS.defaultValue
    var cacheMaxEntries = Variable.cacheMaxEntries.defaultValue
    var logBodies = false
    /// AGENTD_CORS_ORIGINS: origins allowed to call the API from a browser (`*`: any); empty: CORS off.
    var corsOrigins: [String] = []

    static let settings: [Configuration.Setting] = [
        Variable.retryMaxAttempts.setting,
        Variable.retryBaseMs.setting,
        Variable.retryMaxMs.setting,
        Variable.breakerFailureRatePercent.setting,
        Variable.breakerWindow.setting,
        Variable.breakerMinCalls.setting,
        Variable.breakerOpenMs.setting,
        Variable.breakerHalfOpenCalls.setting,
        .init(name: "AGENTD_FALLBACK_MODELS", defaultValue: "", summary: "comma list of provider:model tried in order when a model fails retryably or its circuit is open"),
        .init(name: "AGENTD_API_KEYS", defaultValue: "", summary: "comma list of accepted API keys (secret)"),
        .init(name: "AGENTD_API_KEYS_FILE", defaultValue: "", summary: "file of accepted keys, lines `name sha256:<hex>`"),
        .init(name: "AGENTD_METRICS_TOKEN", defaultValue: "", summary: "bearer token /metrics asks for when set (secret)"),
        Variable.rateLimitPerSecond.setting,
        Variable.rateLimitBurst.setting,
        Variable.dailyTokenBudget.setting,
        .init(name: "AGENTD_PRICES_FILE", defaultValue: "", summary: "JSON {\"provider:model\": {\"input_per_million\", \"output_per_million\"}} over the built-in USD prices"),
        Variable.cacheTTLS.setting,
        Variable.cacheMaxEntries.setting,
        .init(name: "AGENTD_LOG_BODIES", defaultValue: "false", summary: "true: log message content (never by default)"),
        .init(name: "AGENTD_CORS_ORIGINS", defaultValue: "", summary: "comma list of origins browsers may call the API from, or *; empty: CORS off"),
    ]

    static func load(from environment: [String: String], reader: EnvironmentReader) throws(ConfigurationError) -> ProtectionSettings {
        var settings = ProtectionSettings()
        settings.retryMaxAttempts = try reader.read(Variable.retryMaxAttempts)
        settings.retryBaseMs = try reader.read(Variable.retryBaseMs)
        settings.retryMaxMs = try reader.read(Variable.retryMaxMs)
        if settings.retryMaxMs < settings.retryBaseMs {
            throw ConfigurationError(
                variable: "AGENTD_RETRY_MAX_MS", value: String(settings.retryMaxMs), problem: "smaller than AGENTD_RETRY_BASE_MS",
                accepted: "a cap at least as large as the base delay"
            )
        }
        settings.breakerFailureRatePercent = try reader.read(Variable.breakerFailureRatePercent)
        settings.breakerWindow = try reader.read(Variable.breakerWindow)
        settings.breakerMinCalls = try reader.read(Variable.breakerMinCalls)
        settings.breakerOpenMs = try reader.read(Variable.breakerOpenMs)
        settings.breakerHalfOpenCalls = try reader.read(Variable.breakerHalfOpenCalls)
        settings.fallbackModels = reader.list("AGENTD_FALLBACK_MODELS")
        settings.apiKeys = reader.list("AGENTD_API_KEYS")
        settings.apiKeysFile = reader.path("AGENTD_API_KEYS_FILE")
        if let token = environment["AGENTD_METRICS_TOKEN"], !token.isEmpty { settings.metricsToken = token }
        settings.rateLimitPerSecond = try reader.read(Variable.rateLimitPerSecond)
        settings.rateLimitBurst = try reader.read(Variable.rateLimitBurst)
        settings.dailyTokenBudget = try reader.read(Variable.dailyTokenBudget)
        settings.pricesFile = reader.path("AGENTD_PRICES_FILE")
        settings.cacheTTLS = try reader.read(Variable.cacheTTLS)
        settings.cacheMaxEntries = try reader.read(Variable.cacheMaxEntries)
        settings.logBodies = try reader.choice(
            "AGENTD_LOG_BODIES", default: false, { ["true": true, "false": false][$0] }, accepted: "true|false"
        )
        settings.corsOrigins = reader.list("AGENTD_CORS_ORIGINS")
        for origin in settings.corsOrigins where !CORSPolicy.isOrigin(origin) {
            throw ConfigurationError(
                variable: "AGENTD_CORS_ORIGINS", value: environment["AGENTD_CORS_ORIGINS"] ?? "", problem: "\(origin) is not an origin",
                accepted: "a comma list of scheme://host[:port] without a path (https://app.example.com), or *"
            )
        }
        return settings
    }

    /// Whether any API key is configured (plain or from the file).
    var hasKeys: Bool { !apiKeys.isEmpty || apiKeysFile != nil }
}

extension EnvironmentReader {
    /// A comma list, blanks trimmed, empty items dropped; empty when unset.
    func list(_ name: String) -> [String] {
        guard let text = environment[name] else { return [] }
        return text.split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
    }

    /// A file path, or nil when unset or empty.
    func path(_ name: String) -> String? {
        guard let text = environment[name]?.trimmingBlanks(), !text.isEmpty else { return nil }
        return text
    }

    func decimal(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        guard let text = environment[name] else { return defaultValue }
        let accepted = "a number from \(range.lowerBound.formatted) to \(range.upperBound.formatted)"
        guard let value = Double(text.trimmingBlanks()), value.isFinite else {
            throw ConfigurationError(variable: name, value: text, problem: "not a number", accepted: accepted)
        }
        guard range.contains(value) else {
            throw ConfigurationError(variable: name, value: text, problem: "out of range", accepted: accepted)
        }
        return value
    }
}

extension ProtectionSettings {
    /// The variables of this group read as numbers: name, default, bounds and meaning, declared once.
    enum Variable {
        static let retryMaxAttempts = IntegerVariable(
            "AGENTD_RETRY_MAX_ATTEMPTS", default: 3, in: 1...10,
            "tries per model, the first included"
        )
        static let retryBaseMs = IntegerVariable(
            "AGENTD_RETRY_BASE_MS", default: 500, in: 1...600_000,
            "first backoff bound (full jitter, doubling)"
        )
        static let retryMaxMs = IntegerVariable(
            "AGENTD_RETRY_MAX_MS", default: 8000, in: 1...600_000,
            "largest backoff, Retry-After included"
        )
        static let breakerFailureRatePercent = IntegerVariable(
            "AGENTD_BREAKER_FAILURE_RATE", default: 50, in: 1...100,
            "percent of failed calls in the window that opens a provider's circuit"
        )
        static let breakerWindow = IntegerVariable(
            "AGENTD_BREAKER_WINDOW", default: 20, in: 1...10_000,
            "calls the failure rate is taken over"
        )
        static let breakerMinCalls = IntegerVariable(
            "AGENTD_BREAKER_MIN_CALLS", default: 10, in: 1...10_000,
            "calls in the window before the rate counts"
        )
        static let breakerOpenMs = IntegerVariable(
            "AGENTD_BREAKER_OPEN_MS", default: 30_000, in: 1...3_600_000,
            "how long an open circuit refuses calls"
        )
        static let breakerHalfOpenCalls = IntegerVariable(
            "AGENTD_BREAKER_HALF_OPEN_CALLS", default: 3, in: 1...1000,
            "probe calls a half-open circuit lets through"
        )
        static let rateLimitPerSecond = DecimalVariable(
            "AGENTD_RATE_LIMIT_RPS", default: 10, in: 0...1_000_000,
            "requests per second per API key (per client IP without keys); 0 = off"
        )
        static let rateLimitBurst = IntegerVariable(
            "AGENTD_RATE_LIMIT_BURST", default: 20, in: 1...1_000_000,
            "token bucket size"
        )
        static let dailyTokenBudget = IntegerVariable(
            "AGENTD_DAILY_TOKEN_BUDGET", default: 0, in: 0...Int(Int32.max) * 1000,
            "tokens per API key per UTC day (0 = none)"
        )
        static let cacheTTLS = IntegerVariable(
            "AGENTD_CACHE_TTL_S", default: 0, in: 0...31_536_000,
            "response cache lifetime (0 = off)"
        )
        static let cacheMaxEntries = IntegerVariable(
            "AGENTD_CACHE_MAX_ENTRIES", default: 10_000, in: 1...10_000_000,
            "responses cached at most (least recently used go first)"
        )
    }
}
