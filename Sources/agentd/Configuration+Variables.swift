import Foundation
import Logging
import Redis

/// Every variable agentd reads, declared once, in the order `--help` and docs/configuration.md list them. A field of
/// `Configuration` starts at its variable's default; `Configuration.load` reads each; `agentd config` prints each.
extension Configuration {
    static let settings: [Setting] = [
        // Serving.
        Variable.host.setting, Variable.port.setting, Variable.eventLoops.setting, Variable.maxHeaderBytes.setting,
        Variable.maxBodyBytes.setting, Variable.headerTimeoutMs.setting, Variable.bodyTimeoutMs.setting, Variable.idleTimeoutS.setting,
        Variable.maxConnections.setting, Variable.logLevel.setting, Variable.logFormat.setting, Variable.drainDelayS.setting,
        Variable.shutdownGraceS.setting, Variable.allowUnauthenticated.setting,
    ] + ProviderSettings.templateSettings + [
        Variable.defaultModel, Variable.connectTimeoutMs.setting, Variable.upstreamTimeoutMs.setting, Variable.streamIdleTimeoutMs.setting,
        // Chat.
        Variable.agentsFile.setting, Variable.maxMessageChars.setting, Variable.toolResultMaxBytes.setting,
        Variable.maxTokensPerRequest.setting, Variable.conversationsMax.setting, Variable.conversationTTLS.setting,
        Variable.conversationMaxTokens.setting, Variable.upstreamThreads.setting, Variable.sseKeepAliveMs.setting,
        // Protection.
        Variable.retryMaxAttempts.setting, Variable.retryBaseMs.setting, Variable.retryMaxMs.setting,
        Variable.breakerFailureRatePercent.setting, Variable.breakerWindow.setting, Variable.breakerMinCalls.setting,
        Variable.breakerOpenMs.setting, Variable.breakerHalfOpenCalls.setting, Variable.fallbackModels.setting, Variable.apiKeys.setting,
        Variable.apiKeysFile.setting, Variable.metricsToken.setting, Variable.rateLimitPerSecond.setting, Variable.rateLimitBurst.setting,
        Variable.dailyTokenBudget.setting, Variable.pricesFile.setting, Variable.cacheTTLS.setting, Variable.cacheMaxEntries.setting,
        Variable.logBodies.setting, Variable.corsOrigins.setting,
        // Tasks.
        Variable.dataDirectory.setting, Variable.taskWorkers.setting, Variable.taskQueueMax.setting, Variable.taskRetentionS.setting,
        Variable.webhookSecret.setting, Variable.journalSync.setting, Variable.taskLeaseS.setting, Variable.taskMaxAttempts.setting,
        // Redis.
        Variable.redisURL.setting, Variable.redisPrefix.setting, Variable.redisTimeoutMs.setting, Variable.redisCAFile.setting,
        Variable.redisRateLimitFallback.setting, Variable.replicaID.setting,
        // Tracing.
        Variable.otlpEndpoint.setting, Variable.otlpHeaders.setting, Variable.traceSampleRatio.setting, Variable.otlpTimeoutMs.setting,
        Variable.otlpQueueMax.setting, Variable.otlpBatchSize.setting, Variable.otlpIntervalMs.setting,
    ]

    /// The declarations: name, field, default, bounds and meaning.
    enum Variable {
        // MARK: Serving
        static let host = text(
            "AGENTD_HOST", \.host, default: "127.0.0.1", "address to listen on (IPv4 or IPv6 literal)"
        ) { text throws(VariableRejection) in
            let host = text == "localhost" ? "127.0.0.1" : text
            guard IPAddressText.isLiteral(host) else {
                throw VariableRejection(problem: "not an IP address", accepted: "an IPv4 or IPv6 literal such as 0.0.0.0 or ::")
            }
            return host
        }
        static let port = integer("AGENTD_PORT", \.port, default: 8080, in: 0...65535, "port to listen on (0: any free port)")
        static let eventLoops = integer("AGENTD_EVENT_LOOPS", \.eventLoops, default: 0, in: 0...256, "event loop threads (0: one per core)")
        static let maxHeaderBytes = integer(
            "AGENTD_MAX_HEADER_BYTES", \.maxHeaderBytes, default: 16384, in: 1024...1_048_576, "largest request head (431 beyond)")
        static let maxBodyBytes = integer(
            "AGENTD_MAX_BODY_BYTES", \.maxBodyBytes, default: 1_048_576, in: 0...1_073_741_824, "largest request body (413 beyond)")
        static let headerTimeoutMs = integer(
            "AGENTD_HEADER_TIMEOUT_MS", \.headerTimeoutMs, default: 10_000, in: 1...3_600_000, "deadline for a whole request head (408)")
        static let bodyTimeoutMs = integer(
            "AGENTD_BODY_TIMEOUT_MS", \.bodyTimeoutMs, default: 10_000, in: 1...3_600_000, "longest pause between body reads (408)")
        static let idleTimeoutS = integer("AGENTD_IDLE_TIMEOUT_S", \.idleTimeoutS, default: 75, in: 1...86_400, "keep-alive connection idle time")
        static let maxConnections = integer(
            "AGENTD_MAX_CONNECTIONS", \.maxConnections, default: 10_000, in: 1...1_000_000, "open connections; more are closed at once")
        static let logLevel = choice(
            "AGENTD_LOG_LEVEL", \.logLevel, default: LogLevel.info, LogLevel.allCases.map { ($0.description, $0) }, "least severe level logged")
        static let logFormat = choice(
            "AGENTD_LOG_FORMAT", \.logFormat, default: LogFormat.json, [("json", .json), ("text", .text)],
            "json: one object per line; text: for people")
        static let drainDelayS = integer(
            "AGENTD_DRAIN_DELAY_S", \.drainDelayS, default: 0, in: 0...3600, "after SIGTERM, seconds to keep serving while readiness fails")
        static let shutdownGraceS = integer(
            "AGENTD_SHUTDOWN_GRACE_S", \.shutdownGraceS, default: 25, in: 0...3600,
            "after the drain delay, seconds for in-flight requests to finish")
        static let allowUnauthenticated = flag(
            "AGENTD_ALLOW_UNAUTHENTICATED", \.allowUnauthenticated, default: false, "true: serve a non-loopback address without API keys")

        // MARK: Providers (the per-provider variables: ProviderSettings.templateSettings)
        /// Read after the providers, whose models it must name (`ProviderSettings.addProviders`).
        static let defaultModel = Setting(
            name: "AGENTD_DEFAULT_MODEL", defaultValue: "mock:echo",
            summary: "openai:gpt-4o-mini with OPENAI_API_KEY, else anthropic:claude-3-5-haiku-latest with ANTHROPIC_API_KEY, else mock:echo",
            effective: { configuration, _ in .string(configuration.providers.defaultModel) }
        )
        static let connectTimeoutMs = integer(
            "AGENTD_CONNECT_TIMEOUT_MS", \.providers.connectTimeoutMs, default: 5_000, in: 1...600_000, "upstream connect timeout")
        static let upstreamTimeoutMs = integer(
            "AGENTD_UPSTREAM_TIMEOUT_MS", \.providers.upstreamTimeoutMs, default: 120_000, in: 1...3_600_000, "whole upstream call (504 beyond)")
        static let streamIdleTimeoutMs = integer(
            "AGENTD_STREAM_IDLE_TIMEOUT_MS", \.providers.streamIdleTimeoutMs, default: 30_000, in: 1...3_600_000,
            "longest pause between upstream stream chunks")

        // MARK: Chat
        static let agentsFile = optional(
            "AGENTD_AGENTS_FILE", \.agentsFile, "JSON file of agent profiles ({\"name\": {\"model\", \"system_prompt\", ...}})")
        static let maxMessageChars = integer(
            "AGENTD_MAX_MESSAGE_CHARS", \.maxMessageChars, default: 10_000, in: 1...1_000_000, "longest /chat message")
        static let toolResultMaxBytes = integer(
            "AGENTD_TOOL_RESULT_MAX_BYTES", \.toolResultMaxBytes, default: 65_536, in: 256...16_777_216,
            "longest tool result the model reads (longer ones are cut, with a marker)")
        static let maxTokensPerRequest = integer(
            "AGENTD_MAX_TOKENS_PER_REQUEST", \.maxTokensPerRequest, default: 4096, in: 1...1_000_000,
            "largest max_tokens a request may ask for")
        static let conversationsMax = integer(
            "AGENTD_CONVERSATIONS_MAX", \.conversationsMax, default: 10_000, in: 1...10_000_000,
            "conversations kept (least recently used go first)")
        static let conversationTTLS = integer(
            "AGENTD_CONVERSATION_TTL_S", \.conversationTTLS, default: 3600, in: 1...31_536_000, "a conversation unused this long is forgotten")
        static let conversationMaxTokens = integer(
            "AGENTD_CONVERSATION_MAX_TOKENS", \.conversationMaxTokens, default: 8000, in: 100...10_000_000,
            "history kept per conversation, oldest turns pruned first")
        static let upstreamThreads = integer(
            "AGENTD_UPSTREAM_THREADS", \.upstreamThreads, default: 0, in: 0...64,
            "libcurl transfer engine threads of their own (0: one engine on each event loop)")
        static let sseKeepAliveMs = integer(
            "AGENTD_SSE_KEEPALIVE_MS", \.sseKeepAliveMs, default: 15_000, in: 100...15_000, "a `: keep-alive` comment on a stream silent this long")

        // MARK: Protection
        static let retryMaxAttempts = integer(
            "AGENTD_RETRY_MAX_ATTEMPTS", \.protection.retryMaxAttempts, default: 3, in: 1...10, "tries per model, the first included")
        static let retryBaseMs = integer(
            "AGENTD_RETRY_BASE_MS", \.protection.retryBaseMs, default: 500, in: 1...600_000, "first backoff bound (full jitter, doubling)")
        static let retryMaxMs = integer(
            "AGENTD_RETRY_MAX_MS", \.protection.retryMaxMs, default: 8000, in: 1...600_000, "largest backoff, Retry-After included")
        static let breakerFailureRatePercent = integer(
            "AGENTD_BREAKER_FAILURE_RATE", \.protection.breakerFailureRatePercent, default: 50, in: 1...100,
            "percent of failed calls in the window that opens a provider's circuit")
        static let breakerWindow = integer(
            "AGENTD_BREAKER_WINDOW", \.protection.breakerWindow, default: 20, in: 1...10_000, "calls the failure rate is taken over")
        static let breakerMinCalls = integer(
            "AGENTD_BREAKER_MIN_CALLS", \.protection.breakerMinCalls, default: 10, in: 1...10_000, "calls in the window before the rate counts")
        static let breakerOpenMs = integer(
            "AGENTD_BREAKER_OPEN_MS", \.protection.breakerOpenMs, default: 30_000, in: 1...3_600_000, "how long an open circuit refuses calls")
        static let breakerHalfOpenCalls = integer(
            "AGENTD_BREAKER_HALF_OPEN_CALLS", \.protection.breakerHalfOpenCalls, default: 3, in: 1...1000,
            "probe calls a half-open circuit lets through")
        static let fallbackModels = list(
            "AGENTD_FALLBACK_MODELS", \.protection.fallbackModels,
            "comma list of provider:model tried in order when a model fails retryably or its circuit is open")
        static let apiKeys = list("AGENTD_API_KEYS", \.protection.apiKeys, secret: true, "comma list of accepted API keys (secret)")
        static let apiKeysFile = optional("AGENTD_API_KEYS_FILE", \.protection.apiKeysFile, "file of accepted keys, lines `name sha256:<hex>`")
        static let metricsToken = optional(
            "AGENTD_METRICS_TOKEN", \.protection.metricsToken, secret: true, "bearer token /metrics asks for when set (secret)")
        static let rateLimitPerSecond = decimal(
            "AGENTD_RATE_LIMIT_RPS", \.protection.rateLimitPerSecond, default: 10, in: 0...1_000_000,
            "requests per second per API key (per client IP without keys); 0 = off")
        static let rateLimitBurst = integer(
            "AGENTD_RATE_LIMIT_BURST", \.protection.rateLimitBurst, default: 20, in: 1...1_000_000, "token bucket size")
        static let dailyTokenBudget = integer(
            "AGENTD_DAILY_TOKEN_BUDGET", \.protection.dailyTokenBudget, default: 0, in: 0...Int(Int32.max) * 1000,
            "tokens per API key per UTC day (0 = none)")
        static let pricesFile = optional(
            "AGENTD_PRICES_FILE", \.protection.pricesFile,
            "JSON {\"provider:model\": {\"input_per_million\", \"output_per_million\"}} over the built-in USD prices")
        static let cacheTTLS = integer(
            "AGENTD_CACHE_TTL_S", \.protection.cacheTTLS, default: 0, in: 0...31_536_000, "response cache lifetime (0 = off)")
        static let cacheMaxEntries = integer(
            "AGENTD_CACHE_MAX_ENTRIES", \.protection.cacheMaxEntries, default: 10_000, in: 1...10_000_000,
            "responses cached at most (least recently used go first)")
        static let logBodies = flag("AGENTD_LOG_BODIES", \.protection.logBodies, default: false, "true: log message content (never by default)")
        static let corsOrigins = list(
            "AGENTD_CORS_ORIGINS", \.protection.corsOrigins, "comma list of origins browsers may call the API from, or *; empty: CORS off"
        ) { origin throws(VariableRejection) in
            guard CORSPolicy.isOrigin(origin) else {
                throw VariableRejection(
                    problem: "\(origin) is not an origin",
                    accepted: "a comma list of scheme://host[:port] without a path (https://app.example.com), or *")
            }
        }

        // MARK: Tasks
        static let dataDirectory = text(
            "AGENTD_DATA_DIR", \.tasks.dataDirectory, default: "./data", "directory of the task journal (created if missing)"
        ) { text throws(VariableRejection) in
            guard !text.isEmpty else { throw VariableRejection(problem: "empty", accepted: "a directory path such as ./data") }
            return text
        }
        static let taskWorkers = integer("AGENTD_TASK_WORKERS", \.tasks.workers, default: 4, in: 1...1024, "tasks running at once")
        static let taskQueueMax = integer(
            "AGENTD_TASK_QUEUE_MAX", \.tasks.queueMax, default: 1000, in: 1...10_000_000,
            "tasks waiting for a worker before POST /tasks answers 503")
        static let taskRetentionS = integer(
            "AGENTD_TASK_RETENTION_S", \.tasks.retentionS, default: 86_400, in: 1...31_536_000, "how long finished tasks are kept")
        static let webhookSecret = optional(
            "AGENTD_WEBHOOK_SECRET", \.tasks.webhookSecret, secret: true,
            "signs task webhooks: X-Agentd-Signature: sha256=<HMAC-SHA256 of the body> (secret)")
        static let journalSync = choice(
            "AGENTD_JOURNAL_SYNC", \.tasks.groupCommit, default: true, [("group", true), ("each", false)],
            "group: concurrent submissions share one fsync; each: one fsync per record")
        static let taskLeaseS = integer(
            "AGENTD_TASK_LEASE_S", \.tasks.leaseS, default: 30, in: 1...86_400,
            "with Redis: a running task's lease, renewed while it runs; lapsed (its replica died), another replica runs it again")
        static let taskMaxAttempts = integer(
            "AGENTD_TASK_MAX_ATTEMPTS", \.tasks.maxAttempts, default: 5, in: 1...1000,
            "with Redis: runs of a task (takeovers, retryable upstream failures) before it fails for good")

        // MARK: Redis
        static let redisURL = ConfigurationVariable<RedisURL?>(
            name: "AGENTD_REDIS_URL", field: \.redis.url, defaultValue: nil, shownDefault: "", accepted: "",
            summary: "redis://[[user]:password@]host[:port][/db] or rediss:// (TLS): shared state for N replicas (secret)",
            parse: { text throws(VariableRejection) in
                let text = text.trimmingBlanks()
                guard !text.isEmpty else { return nil }
                do throws(RedisURL.ParseError) {
                    return try RedisURL(parsing: text)
                } catch {
                    throw VariableRejection(
                        problem: error.description, accepted: "redis://[[user]:password@]host[:port][/db] or rediss://…",
                        shownValue: RedisSettings.redactedURLText(text))
                }
            },
            show: { url in url.map { .string($0.description) } ?? .null }
        )
        static let redisPrefix = text(
            "AGENTD_REDIS_PREFIX", \.redis.prefix, default: "agentd:", "prefix of every key agentd writes to Redis"
        ) { prefix throws(VariableRejection) in
            guard !prefix.isEmpty, prefix.utf8.count <= 64, prefix.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw VariableRejection(
                    problem: "not a usable key prefix", accepted: "1 to 64 visible ASCII characters, such as agentd: or prod-agentd:")
            }
            return prefix
        }
        static let redisTimeoutMs = integer(
            "AGENTD_REDIS_TIMEOUT_MS", \.redis.timeoutMs, default: 250, in: 1...60_000, "no Redis command waits longer")
        static let redisCAFile = optional(
            "AGENTD_REDIS_CA_FILE", \.redis.caFile, "PEM CA certificates for rediss:// (default: the system's)"
        ) { path throws(VariableRejection) in
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw VariableRejection(problem: "cannot read the file", accepted: "a readable PEM file")
            }
            return path
        }
        static let redisRateLimitFallback = choice(
            "AGENTD_REDIS_RATE_LIMIT_FALLBACK", \.redis.rateLimitFallback, default: "local", [("local", "local"), ("closed", "closed")],
            "with Redis unreachable: local (each replica's own bucket) or closed (503)")
        static let replicaID = text(
            "AGENTD_REPLICA_ID", \.redis.replicaID, default: RedisSettings.hostName, shown: "<host name>",
            "this replica's name in the task queue and in logs"
        ) { text throws(VariableRejection) in text.isEmpty ? RedisSettings.hostName : text }

        // MARK: Tracing
        static let otlpEndpoint = optional(
            "AGENTD_OTLP_ENDPOINT", \.tracing.endpoint,
            "OTLP/HTTP collector (http://otel-collector:4318): traces go to <endpoint>/v1/traces; empty: off"
        ) { text throws(VariableRejection) in
            guard text.hasPrefix("http://") || text.hasPrefix("https://"), text.utf8.count > 8, !text.contains(" ") else {
                throw VariableRejection(problem: "not an http(s) URL", accepted: "http(s)://host[:port][/path], e.g. http://otel-collector:4318")
            }
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        static let otlpHeaders = ConfigurationVariable<[TracingSettings.Header]>(
            name: "AGENTD_OTLP_HEADERS", field: \.tracing.headers, defaultValue: [], shownDefault: "", accepted: "",
            summary: "k=v,k=v headers sent with every export (secret)",
            parse: { text throws(VariableRejection) in
                try text.split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }.map { pair throws(VariableRejection) in
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, !parts[0].trimmingBlanks().isEmpty,
                        parts[0].utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                        throw VariableRejection(
                            problem: "an entry is not name=value", accepted: "a comma list of name=value, e.g. authorization=Bearer abc",
                            shownValue: Configuration.redacted)
                    }
                    return TracingSettings.Header(name: parts[0].trimmingBlanks(), value: parts[1].trimmingBlanks())
                }
            },
            show: { headers in headers.isEmpty ? .null : .string(Configuration.redacted) }
        )
        static let traceSampleRatio = decimal(
            "AGENTD_TRACE_SAMPLE_RATIO", \.tracing.sampleRatio, default: 1, in: 0...1,
            "share of new traces sampled (a caller's traceparent decides for its own)")
        static let otlpTimeoutMs = integer(
            "AGENTD_OTLP_TIMEOUT_MS", \.tracing.timeoutMs, default: 5_000, in: 1...60_000, "deadline of one export request")
        static let otlpQueueMax = integer(
            "AGENTD_OTLP_QUEUE_MAX", \.tracing.queueMax, default: 4096, in: 1...1_000_000,
            "finished spans waiting for export at most (more are dropped and counted)")
        static let otlpBatchSize = integer(
            "AGENTD_OTLP_BATCH_SIZE", \.tracing.batchSize, default: 512, in: 1...100_000, "spans per export request")
        static let otlpIntervalMs = integer(
            "AGENTD_OTLP_INTERVAL_MS", \.tracing.intervalMs, default: 1_000, in: 10...60_000, "a partial batch is exported after this long")
    }
}
