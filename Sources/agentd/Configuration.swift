import Glibc
import Logging
import Server

/// agentd's effective configuration, read from the environment once at start.
/// Every field names its unit; each variable, default and meaning is listed in `Configuration.settings`.
struct Configuration: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var eventLoops = 0
    var maxHeaderBytes = 16384
    var maxBodyBytes = 1_048_576
    var headerTimeoutMs = 10_000
    var bodyTimeoutMs = 10_000
    var idleTimeoutS = 75
    var maxConnections = 10_000
    var logLevel = LogLevel.info
    var logFormat = LogFormat.json
    var drainDelayS = 0
    var shutdownGraceS = 25
    var allowUnauthenticated = false
    var providers = ProviderSettings()
    var protection = ProtectionSettings()
    var agentsFile: String?
    var maxMessageChars = 10_000
    /// AGENTD_TOOL_RESULT_MAX_BYTES: a tool result longer than this is cut (with a marker) before the model reads it.
    var toolResultMaxBytes = 65_536
    var maxTokensPerRequest = 4096
    var conversationsMax = 10_000
    var conversationTTLS = 3600
    var conversationMaxTokens = 8000
    var sseKeepAliveMs = 15_000
    /// Transfer engine threads of their own (AGENTD_UPSTREAM_THREADS); 0, the default, runs one engine on each
    /// event loop's thread instead, so a request and its upstream call never change threads.
    var upstreamThreads = 0
    var tasks = TaskSettings()
    var redis = RedisSettings()
    var tracing = TracingSettings()

    /// One environment variable: its name, default and what it does (for `--help` and errors).
    struct Setting: Sendable {
        let name: String
        let defaultValue: String
        let summary: String
    }

    static var settings: [Setting] {
        serverSettings + ProviderSettings.settings + chatSettings + ProtectionSettings.settings + TaskSettings.settings
            + RedisSettings.settings + TracingSettings.settings
    }

    static let chatSettings: [Setting] = [
        Setting(name: "AGENTD_AGENTS_FILE", defaultValue: "", summary: "JSON file of agent profiles ({\"name\": {\"model\", \"system_prompt\", ...}})"),
        Setting(name: "AGENTD_MAX_MESSAGE_CHARS", defaultValue: "10000", summary: "longest /chat message"),
        Setting(name: "AGENTD_TOOL_RESULT_MAX_BYTES", defaultValue: "65536", summary: "longest tool result the model reads (longer ones are cut, with a marker)"),
        Setting(name: "AGENTD_MAX_TOKENS_PER_REQUEST", defaultValue: "4096", summary: "largest max_tokens a request may ask for"),
        Setting(name: "AGENTD_CONVERSATIONS_MAX", defaultValue: "10000", summary: "conversations kept (least recently used go first)"),
        Setting(name: "AGENTD_CONVERSATION_TTL_S", defaultValue: "3600", summary: "a conversation unused this long is forgotten"),
        Setting(name: "AGENTD_CONVERSATION_MAX_TOKENS", defaultValue: "8000", summary: "history kept per conversation, oldest turns pruned first"),
        Setting(name: "AGENTD_UPSTREAM_THREADS", defaultValue: "0", summary: "libcurl transfer engine threads of their own (0: one engine on each event loop)"),
        Setting(name: "AGENTD_SSE_KEEPALIVE_MS", defaultValue: "15000", summary: "a `: keep-alive` comment on a stream silent this long"),
    ]

    static let serverSettings: [Setting] = [
        Setting(name: "AGENTD_HOST", defaultValue: "127.0.0.1", summary: "address to listen on (IPv4 or IPv6 literal)"),
        Setting(name: "AGENTD_PORT", defaultValue: "8080", summary: "port to listen on (0: any free port)"),
        Setting(name: "AGENTD_EVENT_LOOPS", defaultValue: "0", summary: "event loop threads (0: one per core)"),
        Setting(name: "AGENTD_MAX_HEADER_BYTES", defaultValue: "16384", summary: "largest request head (431 beyond)"),
        Setting(name: "AGENTD_MAX_BODY_BYTES", defaultValue: "1048576", summary: "largest request body (413 beyond)"),
        Setting(name: "AGENTD_HEADER_TIMEOUT_MS", defaultValue: "10000", summary: "deadline for a whole request head (408)"),
        Setting(name: "AGENTD_BODY_TIMEOUT_MS", defaultValue: "10000", summary: "longest pause between body reads (408)"),
        Setting(name: "AGENTD_IDLE_TIMEOUT_S", defaultValue: "75", summary: "keep-alive connection idle time"),
        Setting(name: "AGENTD_MAX_CONNECTIONS", defaultValue: "10000", summary: "open connections; more are closed at once"),
        Setting(name: "AGENTD_LOG_LEVEL", defaultValue: "info", summary: "debug, info, warning or error"),
        Setting(name: "AGENTD_LOG_FORMAT", defaultValue: "json", summary: "json (one object per line) or text"),
        Setting(name: "AGENTD_DRAIN_DELAY_S", defaultValue: "0", summary: "after SIGTERM, seconds to keep serving while readiness fails"),
        Setting(name: "AGENTD_SHUTDOWN_GRACE_S", defaultValue: "25", summary: "after the drain delay, seconds for in-flight requests to finish"),
        Setting(name: "AGENTD_ALLOW_UNAUTHENTICATED", defaultValue: "false", summary: "true: serve a non-loopback address without API keys"),
    ]

    static func load(from environment: [String: String]) throws(ConfigurationError) -> Configuration {
        let reader = EnvironmentReader(environment)
        var configuration = Configuration()
        configuration.host = try reader.host("AGENTD_HOST", default: configuration.host)
        configuration.port = try reader.integer("AGENTD_PORT", default: configuration.port, in: 0...65535)
        configuration.eventLoops = try reader.integer("AGENTD_EVENT_LOOPS", default: 0, in: 0...256)
        configuration.maxHeaderBytes = try reader.integer("AGENTD_MAX_HEADER_BYTES", default: 16384, in: 1024...1_048_576)
        configuration.maxBodyBytes = try reader.integer("AGENTD_MAX_BODY_BYTES", default: 1_048_576, in: 0...1_073_741_824)
        configuration.headerTimeoutMs = try reader.integer("AGENTD_HEADER_TIMEOUT_MS", default: 10_000, in: 1...3_600_000)
        configuration.bodyTimeoutMs = try reader.integer("AGENTD_BODY_TIMEOUT_MS", default: 10_000, in: 1...3_600_000)
        configuration.idleTimeoutS = try reader.integer("AGENTD_IDLE_TIMEOUT_S", default: 75, in: 1...86_400)
        configuration.maxConnections = try reader.integer("AGENTD_MAX_CONNECTIONS", default: 10_000, in: 1...1_000_000)
        configuration.logLevel = try reader.choice("AGENTD_LOG_LEVEL", default: .info, LogLevel.init(name:), accepted: "debug|info|warning|error")
        configuration.logFormat = try reader.choice("AGENTD_LOG_FORMAT", default: .json, LogFormat.init(rawValue:), accepted: "json|text")
        configuration.drainDelayS = try reader.integer("AGENTD_DRAIN_DELAY_S", default: 0, in: 0...3600)
        configuration.shutdownGraceS = try reader.integer("AGENTD_SHUTDOWN_GRACE_S", default: 25, in: 0...3600)
        configuration.allowUnauthenticated = try reader.choice(
            "AGENTD_ALLOW_UNAUTHENTICATED", default: false, { ["true": true, "false": false][$0] }, accepted: "true|false"
        )
        configuration.providers = try ProviderSettings.load(from: environment, reader: reader)
        if let path = environment["AGENTD_AGENTS_FILE"]?.trimmingBlanks(), !path.isEmpty { configuration.agentsFile = path }
        configuration.maxMessageChars = try reader.integer("AGENTD_MAX_MESSAGE_CHARS", default: 10_000, in: 1...1_000_000)
        configuration.toolResultMaxBytes = try reader.integer("AGENTD_TOOL_RESULT_MAX_BYTES", default: 65_536, in: 256...16_777_216)
        configuration.maxTokensPerRequest = try reader.integer("AGENTD_MAX_TOKENS_PER_REQUEST", default: 4096, in: 1...1_000_000)
        configuration.conversationsMax = try reader.integer("AGENTD_CONVERSATIONS_MAX", default: 10_000, in: 1...10_000_000)
        configuration.conversationTTLS = try reader.integer("AGENTD_CONVERSATION_TTL_S", default: 3600, in: 1...31_536_000)
        configuration.conversationMaxTokens = try reader.integer("AGENTD_CONVERSATION_MAX_TOKENS", default: 8000, in: 100...10_000_000)
        configuration.sseKeepAliveMs = try reader.integer("AGENTD_SSE_KEEPALIVE_MS", default: 15_000, in: 100...15_000)
        configuration.upstreamThreads = try reader.integer("AGENTD_UPSTREAM_THREADS", default: 0, in: 0...64)
        configuration.protection = try ProtectionSettings.load(from: environment, reader: reader)
        configuration.tasks = try TaskSettings.load(from: environment, reader: reader)
        configuration.redis = try RedisSettings.load(from: environment, reader: reader)
        configuration.tracing = try TracingSettings.load(from: environment, reader: reader)
        // The contract: bound to a non-loopback address with no API key configured, agentd refuses to start
        // unless told otherwise (as LiteLLM does): an open gateway spends its owner's provider credit.
        if !IPAddressText.isLoopback(configuration.host) && !configuration.protection.hasKeys && !configuration.allowUnauthenticated {
            throw ConfigurationError(
                variable: "AGENTD_HOST", value: environment["AGENTD_HOST"] ?? configuration.host,
                problem: "not a loopback address, and no API key is configured",
                accepted: "a loopback address such as 127.0.0.1, AGENTD_API_KEYS or AGENTD_API_KEYS_FILE, or AGENTD_ALLOW_UNAUTHENTICATED=true"
            )
        }
        return configuration
    }

    var server: ServerConfiguration {
        ServerConfiguration(
            host: host, port: port, eventLoopCount: eventLoops,
            limits: .init(maxRequestLineBytes: 8192, maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes),
            headerTimeoutMs: headerTimeoutMs, bodyTimeoutMs: bodyTimeoutMs, idleTimeoutMs: idleTimeoutS * 1000,
            maxConnections: maxConnections
        )
    }
}

/// A variable whose value cannot be used: one line for stderr, then exit status 2.
struct ConfigurationError: Error, CustomStringConvertible {
    let variable: String
    let value: String
    let problem: String
    let accepted: String

    var description: String { "agentd: \(variable)=\"\(value)\": \(problem); expected \(accepted)" }
}

/// Typed reads of environment variables, each failing with the variable, the problem and the accepted form.
struct EnvironmentReader {
    let environment: [String: String]

    init(_ environment: [String: String]) { self.environment = environment }

    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = environment[name] else { return defaultValue }
        let accepted = "a whole number from \(range.lowerBound) to \(range.upperBound)"
        guard let value = Int(text.trimmingBlanks()) else {
            throw ConfigurationError(variable: name, value: text, problem: "not a whole number", accepted: accepted)
        }
        guard range.contains(value) else {
            throw ConfigurationError(variable: name, value: text, problem: "out of range", accepted: accepted)
        }
        return value
    }

    func choice<T>(
        _ name: String, default defaultValue: T, _ parse: (String) -> T?, accepted: String
    ) throws(ConfigurationError) -> T {
        guard let text = environment[name] else { return defaultValue }
        guard let value = parse(text.trimmingBlanks().lowercased()) else {
            throw ConfigurationError(variable: name, value: text, problem: "not a known value", accepted: accepted)
        }
        return value
    }

    func host(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        guard let text = environment[name] else { return defaultValue }
        let value = text.trimmingBlanks()
        let hostValue = value == "localhost" ? "127.0.0.1" : value
        guard IPAddressText.isLiteral(hostValue) else {
            throw ConfigurationError(variable: name, value: text, problem: "not an IP address", accepted: "an IPv4 or IPv6 literal such as 0.0.0.0 or ::")
        }
        return hostValue
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var result = Substring(self)
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return String(result)
    }
}
