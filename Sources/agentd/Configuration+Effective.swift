import JSON

/// `agentd config`: the configuration in force, as JSON, every variable with its effective value (defaults
/// included) and every secret replaced by `"<redacted>"` (or null when unset), so it can be pasted into a ticket.
extension Configuration {
    static let redacted = "<redacted>"

    func effectiveJSON(environment: [String: String]) -> JSONValue {
        func secret(_ value: String?) -> JSONValue { value.map { $0.isEmpty ? .null : .string(Configuration.redacted) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func baseURL(of provider: String) -> String? { providers.providers.first { $0.name == provider }?.baseURL }
        let protection = self.protection, tasks = self.tasks
        var variables: [(key: String, value: JSONValue)] = [
            ("AGENTD_HOST", .string(host)), ("AGENTD_PORT", .integer(port)), ("AGENTD_EVENT_LOOPS", .integer(eventLoops)),
            ("AGENTD_MAX_HEADER_BYTES", .integer(maxHeaderBytes)), ("AGENTD_MAX_BODY_BYTES", .integer(maxBodyBytes)),
            ("AGENTD_HEADER_TIMEOUT_MS", .integer(headerTimeoutMs)), ("AGENTD_BODY_TIMEOUT_MS", .integer(bodyTimeoutMs)),
            ("AGENTD_IDLE_TIMEOUT_S", .integer(idleTimeoutS)), ("AGENTD_MAX_CONNECTIONS", .integer(maxConnections)),
            ("AGENTD_LOG_LEVEL", .string(logLevel.description)), ("AGENTD_LOG_FORMAT", .string(logFormat.rawValue)),
            ("AGENTD_DRAIN_DELAY_S", .integer(drainDelayS)), ("AGENTD_SHUTDOWN_GRACE_S", .integer(shutdownGraceS)),
            ("AGENTD_ALLOW_UNAUTHENTICATED", .bool(allowUnauthenticated)),
            ("AGENTD_DEFAULT_MODEL", .string(providers.defaultModel)),
            ("AGENTD_CONNECT_TIMEOUT_MS", .integer(providers.connectTimeoutMs)),
            ("AGENTD_UPSTREAM_TIMEOUT_MS", .integer(providers.upstreamTimeoutMs)),
            ("AGENTD_STREAM_IDLE_TIMEOUT_MS", .integer(providers.streamIdleTimeoutMs)),
            ("AGENTD_AGENTS_FILE", text(agentsFile)), ("AGENTD_MAX_MESSAGE_CHARS", .integer(maxMessageChars)),
            ("AGENTD_TOOL_RESULT_MAX_BYTES", .integer(toolResultMaxBytes)),
            ("AGENTD_MAX_TOKENS_PER_REQUEST", .integer(maxTokensPerRequest)), ("AGENTD_CONVERSATIONS_MAX", .integer(conversationsMax)),
            ("AGENTD_CONVERSATION_TTL_S", .integer(conversationTTLS)), ("AGENTD_CONVERSATION_MAX_TOKENS", .integer(conversationMaxTokens)),
            ("AGENTD_UPSTREAM_THREADS", .integer(upstreamThreads)), ("AGENTD_SSE_KEEPALIVE_MS", .integer(sseKeepAliveMs)),
            ("AGENTD_RETRY_MAX_ATTEMPTS", .integer(protection.retryMaxAttempts)), ("AGENTD_RETRY_BASE_MS", .integer(protection.retryBaseMs)),
            ("AGENTD_RETRY_MAX_MS", .integer(protection.retryMaxMs)),
            ("AGENTD_BREAKER_FAILURE_RATE", .integer(protection.breakerFailureRatePercent)),
            ("AGENTD_BREAKER_WINDOW", .integer(protection.breakerWindow)), ("AGENTD_BREAKER_MIN_CALLS", .integer(protection.breakerMinCalls)),
            ("AGENTD_BREAKER_OPEN_MS", .integer(protection.breakerOpenMs)),
            ("AGENTD_BREAKER_HALF_OPEN_CALLS", .integer(protection.breakerHalfOpenCalls)),
            ("AGENTD_FALLBACK_MODELS", .array(protection.fallbackModels.map(JSONValue.string))),
            ("AGENTD_API_KEYS", protection.apiKeys.isEmpty ? .null : .string(Configuration.redacted)),
            ("AGENTD_API_KEYS_FILE", text(protection.apiKeysFile)), ("AGENTD_METRICS_TOKEN", secret(protection.metricsToken)),
            ("AGENTD_RATE_LIMIT_RPS", .double(protection.rateLimitPerSecond)), ("AGENTD_RATE_LIMIT_BURST", .integer(protection.rateLimitBurst)),
            ("AGENTD_DAILY_TOKEN_BUDGET", .integer(protection.dailyTokenBudget)), ("AGENTD_PRICES_FILE", text(protection.pricesFile)),
            ("AGENTD_CACHE_TTL_S", .integer(protection.cacheTTLS)), ("AGENTD_CACHE_MAX_ENTRIES", .integer(protection.cacheMaxEntries)),
            ("AGENTD_LOG_BODIES", .bool(protection.logBodies)),
            ("AGENTD_CORS_ORIGINS", .array(protection.corsOrigins.map(JSONValue.string))),
            ("AGENTD_DATA_DIR", .string(tasks.dataDirectory)), ("AGENTD_TASK_WORKERS", .integer(tasks.workers)),
            ("AGENTD_TASK_QUEUE_MAX", .integer(tasks.queueMax)), ("AGENTD_TASK_RETENTION_S", .integer(tasks.retentionS)),
            ("AGENTD_WEBHOOK_SECRET", secret(tasks.webhookSecret)), ("AGENTD_JOURNAL_SYNC", .string(tasks.groupCommit ? "group" : "each")),
            ("AGENTD_TASK_LEASE_S", .integer(tasks.leaseS)), ("AGENTD_TASK_MAX_ATTEMPTS", .integer(tasks.maxAttempts)),
            ("AGENTD_REDIS_URL", text(redis.url?.description)), ("AGENTD_REDIS_PREFIX", .string(redis.prefix)),
            ("AGENTD_REDIS_TIMEOUT_MS", .integer(redis.timeoutMs)), ("AGENTD_REDIS_CA_FILE", text(redis.caFile)),
            ("AGENTD_REDIS_RATE_LIMIT_FALLBACK", .string(redis.rateLimitFallback)), ("AGENTD_REPLICA_ID", .string(redis.replicaID)),
            ("AGENTD_OTLP_ENDPOINT", text(tracing.endpoint)),
            ("AGENTD_OTLP_HEADERS", tracing.headers.isEmpty ? .null : .string(Configuration.redacted)),
            ("AGENTD_TRACE_SAMPLE_RATIO", .double(tracing.sampleRatio)), ("AGENTD_OTLP_TIMEOUT_MS", .integer(tracing.timeoutMs)),
            ("AGENTD_OTLP_QUEUE_MAX", .integer(tracing.queueMax)), ("AGENTD_OTLP_BATCH_SIZE", .integer(tracing.batchSize)),
            ("AGENTD_OTLP_INTERVAL_MS", .integer(tracing.intervalMs)),
            ("OPENAI_API_KEY", secret(environment["OPENAI_API_KEY"])), ("ANTHROPIC_API_KEY", secret(environment["ANTHROPIC_API_KEY"])),
            ("OPENAI_BASE_URL", .string(baseURL(of: "openai") ?? environment["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1")),
            ("ANTHROPIC_BASE_URL", .string(baseURL(of: "anthropic") ?? environment["ANTHROPIC_BASE_URL"] ?? "https://api.anthropic.com")),
        ]
        variables.sort { $0.key < $1.key }
        let providerList: [JSONValue] = providers.providers.map { provider in
            .object(JSONObject([
                ("name", .string(provider.name)), ("kind", .string(provider.kind.rawValue)), ("base_url", .string(provider.baseURL)),
                ("api_key", secret(provider.apiKey)), ("models", .array(provider.models.map(JSONValue.string))),
                ("ca_file", text(provider.caFile)),
            ]))
        }
        return .object(JSONObject([
            ("version", .string(AgentdVersion.current)), ("variables", .object(JSONObject(variables))),
            ("providers", .array([.object(JSONObject([("name", "mock"), ("kind", "built-in")]))] + providerList)),
        ]))
    }
}
