import Glibc
import Logging
import Server

/// agentd's effective configuration, read from the environment once at start.
/// Every field names its unit; each variable, default and meaning is listed in `Configuration.settings`.
struct Configuration: Sendable {
    var host = "127.0.0.1"
    var port = Variable.port.defaultValue
    var eventLoops = Variable.eventLoops.defaultValue
    var maxHeaderBytes = Variable.maxHeaderBytes.defaultValue
    var maxBodyBytes = Variable.maxBodyBytes.defaultValue
    var headerTimeoutMs = Variable.headerTimeoutMs.defaultValue
    var bodyTimeoutMs = Variable.bodyTimeoutMs.defaultValue
    var idleTimeoutS = Variable.idleTimeoutS.defaultValue
    var maxConnections = Variable.maxConnections.defaultValue
    var logLevel = LogLevel.info
    var logFormat = LogFormat.json
    var drainDelayS = Variable.drainDelayS.defaultValue
    var shutdownGraceS = Variable.shutdownGraceS.defaultValue
    var allowUnauthenticated = false
    var providers = ProviderSettings()
    var protection = ProtectionSettings()
    var agentsFile: String?
    var maxMessageChars = Variable.maxMessageChars.defaultValue
    /// AGENTD_TOOL_RESULT_MAX_BYTES: a tool result longer than this is cut (with a marker) before the model reads it.
    var toolResultMaxBytes = Variable.toolResultMaxBytes.defaultValue
    var maxTokensPerRequest = Variable.maxTokensPerRequest.defaultValue
    var conversationsMax = Variable.conversationsMax.defaultValue
    var conversationTTLS = Variable.conversationTTLS.defaultValue
    var conversationMaxTokens = Variable.conversationMaxTokens.defaultValue
    var sseKeepAliveMs = Variable.sseKeepAliveMs.defaultValue
    /// Transfer engine threads of their own (AGENTD_UPSTREAM_THREADS); 0, the default, runs one engine on each
    /// event loop's thread instead, so a request and its upstream call never change threads.
    var upstreamThreads = Variable.upstreamThreads.defaultValue
    var tasks = TaskSettings()
    var redis = RedisSettings()
    var tracing = TracingSettings()

    /// One environment variable as `--help`, `agentd config`, README.md's table and docs/configuration.md show it:
    /// its name, default, the values it accepts (empty: see the summary) and what it does. A number's row comes from
    /// its declaration (`IntegerVariable`, `DecimalVariable`), which the reader uses too.
    struct Setting: Sendable {
        let name: String
        let defaultValue: String
        let summary: String
        var accepted = ""
    }

    static var settings: [Setting] {
        serverSettings + ProviderSettings.settings + chatSettings + ProtectionSettings.settings + TaskSettings.settings
            + RedisSettings.settings + TracingSettings.settings
    }

    static let chatSettings: [Setting] = [
        Setting(name: "AGENTD_AGENTS_FILE", defaultValue: "", summary: "JSON file of agent profiles ({\"name\": {\"model\", \"system_prompt\", ...}})"),
        Variable.maxMessageChars.setting,
        Variable.toolResultMaxBytes.setting,
        Variable.maxTokensPerRequest.setting,
        Variable.conversationsMax.setting,
        Variable.conversationTTLS.setting,
        Variable.conversationMaxTokens.setting,
        Variable.upstreamThreads.setting,
        Variable.sseKeepAliveMs.setting,
    ]

    static let serverSettings: [Setting] = [
        Setting(name: "AGENTD_HOST", defaultValue: "127.0.0.1", summary: "address to listen on (IPv4 or IPv6 literal)"),
        Variable.port.setting,
        Variable.eventLoops.setting,
        Variable.maxHeaderBytes.setting,
        Variable.maxBodyBytes.setting,
        Variable.headerTimeoutMs.setting,
        Variable.bodyTimeoutMs.setting,
        Variable.idleTimeoutS.setting,
        Variable.maxConnections.setting,
        Setting(name: "AGENTD_LOG_LEVEL", defaultValue: "info", summary: "debug, info, warning or error"),
        Setting(name: "AGENTD_LOG_FORMAT", defaultValue: "json", summary: "json (one object per line) or text"),
        Variable.drainDelayS.setting,
        Variable.shutdownGraceS.setting,
        Setting(name: "AGENTD_ALLOW_UNAUTHENTICATED", defaultValue: "false", summary: "true: serve a non-loopback address without API keys"),
    ]

    static func load(from environment: [String: String]) throws(ConfigurationError) -> Configuration {
        let reader = EnvironmentReader(environment)
        var configuration = Configuration()
        configuration.host = try reader.host("AGENTD_HOST", default: configuration.host)
        configuration.port = try reader.read(Variable.port)
        configuration.eventLoops = try reader.read(Variable.eventLoops)
        configuration.maxHeaderBytes = try reader.read(Variable.maxHeaderBytes)
        configuration.maxBodyBytes = try reader.read(Variable.maxBodyBytes)
        configuration.headerTimeoutMs = try reader.read(Variable.headerTimeoutMs)
        configuration.bodyTimeoutMs = try reader.read(Variable.bodyTimeoutMs)
        configuration.idleTimeoutS = try reader.read(Variable.idleTimeoutS)
        configuration.maxConnections = try reader.read(Variable.maxConnections)
        configuration.logLevel = try reader.choice("AGENTD_LOG_LEVEL", default: .info, LogLevel.init(name:), accepted: "debug|info|warning|error")
        configuration.logFormat = try reader.choice("AGENTD_LOG_FORMAT", default: .json, LogFormat.init(rawValue:), accepted: "json|text")
        configuration.drainDelayS = try reader.read(Variable.drainDelayS)
        configuration.shutdownGraceS = try reader.read(Variable.shutdownGraceS)
        configuration.allowUnauthenticated = try reader.choice(
            "AGENTD_ALLOW_UNAUTHENTICATED", default: false, { ["true": true, "false": false][$0] }, accepted: "true|false"
        )
        configuration.providers = try ProviderSettings.load(from: environment, reader: reader)
        if let path = environment["AGENTD_AGENTS_FILE"]?.trimmingBlanks(), !path.isEmpty { configuration.agentsFile = path }
        configuration.maxMessageChars = try reader.read(Variable.maxMessageChars)
        configuration.toolResultMaxBytes = try reader.read(Variable.toolResultMaxBytes)
        configuration.maxTokensPerRequest = try reader.read(Variable.maxTokensPerRequest)
        configuration.conversationsMax = try reader.read(Variable.conversationsMax)
        configuration.conversationTTLS = try reader.read(Variable.conversationTTLS)
        configuration.conversationMaxTokens = try reader.read(Variable.conversationMaxTokens)
        configuration.sseKeepAliveMs = try reader.read(Variable.sseKeepAliveMs)
        configuration.upstreamThreads = try reader.read(Variable.upstreamThreads)
        configuration.protection = try ProtectionSettings.load(from: environment, reader: reader)
        configuration.tasks = try TaskSettings.load(from: environment, reader: reader)
        configuration.redis = try RedisSettings.load(from: environment, reader: reader)
        configuration.tracing = try TracingSettings.load(from: environment, reader: reader)
        // docs/api.md, Authentication: bound to a non-loopback address with no API key configured, agentd refuses to
        // start unless told otherwise (as LiteLLM does): an open gateway spends its owner's provider credit.
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

extension Configuration {
    /// The variables of this group read as numbers: name, default, bounds and meaning, declared once.
    enum Variable {
        static let port = IntegerVariable(
            "AGENTD_PORT", default: 8080, in: 0...65535,
            "port to listen on (0: any free port)"
        )
        static let eventLoops = IntegerVariable(
            "AGENTD_EVENT_LOOPS", default: 0, in: 0...256,
            "event loop threads (0: one per core)"
        )
        static let maxHeaderBytes = IntegerVariable(
            "AGENTD_MAX_HEADER_BYTES", default: 16384, in: 1024...1_048_576,
            "largest request head (431 beyond)"
        )
        static let maxBodyBytes = IntegerVariable(
            "AGENTD_MAX_BODY_BYTES", default: 1_048_576, in: 0...1_073_741_824,
            "largest request body (413 beyond)"
        )
        static let headerTimeoutMs = IntegerVariable(
            "AGENTD_HEADER_TIMEOUT_MS", default: 10_000, in: 1...3_600_000,
            "deadline for a whole request head (408)"
        )
        static let bodyTimeoutMs = IntegerVariable(
            "AGENTD_BODY_TIMEOUT_MS", default: 10_000, in: 1...3_600_000,
            "longest pause between body reads (408)"
        )
        static let idleTimeoutS = IntegerVariable(
            "AGENTD_IDLE_TIMEOUT_S", default: 75, in: 1...86_400,
            "keep-alive connection idle time"
        )
        static let maxConnections = IntegerVariable(
            "AGENTD_MAX_CONNECTIONS", default: 10_000, in: 1...1_000_000,
            "open connections; more are closed at once"
        )
        static let drainDelayS = IntegerVariable(
            "AGENTD_DRAIN_DELAY_S", default: 0, in: 0...3600,
            "after SIGTERM, seconds to keep serving while readiness fails"
        )
        static let shutdownGraceS = IntegerVariable(
            "AGENTD_SHUTDOWN_GRACE_S", default: 25, in: 0...3600,
            "after the drain delay, seconds for in-flight requests to finish"
        )
        static let maxMessageChars = IntegerVariable(
            "AGENTD_MAX_MESSAGE_CHARS", default: 10_000, in: 1...1_000_000,
            "longest /chat message"
        )
        static let toolResultMaxBytes = IntegerVariable(
            "AGENTD_TOOL_RESULT_MAX_BYTES", default: 65_536, in: 256...16_777_216,
            "longest tool result the model reads (longer ones are cut, with a marker)"
        )
        static let maxTokensPerRequest = IntegerVariable(
            "AGENTD_MAX_TOKENS_PER_REQUEST", default: 4096, in: 1...1_000_000,
            "largest max_tokens a request may ask for"
        )
        static let conversationsMax = IntegerVariable(
            "AGENTD_CONVERSATIONS_MAX", default: 10_000, in: 1...10_000_000,
            "conversations kept (least recently used go first)"
        )
        static let conversationTTLS = IntegerVariable(
            "AGENTD_CONVERSATION_TTL_S", default: 3600, in: 1...31_536_000,
            "a conversation unused this long is forgotten"
        )
        static let conversationMaxTokens = IntegerVariable(
            "AGENTD_CONVERSATION_MAX_TOKENS", default: 8000, in: 100...10_000_000,
            "history kept per conversation, oldest turns pruned first"
        )
        static let sseKeepAliveMs = IntegerVariable(
            "AGENTD_SSE_KEEPALIVE_MS", default: 15_000, in: 100...15_000,
            "a `: keep-alive` comment on a stream silent this long"
        )
        static let upstreamThreads = IntegerVariable(
            "AGENTD_UPSTREAM_THREADS", default: 0, in: 0...64,
            "libcurl transfer engine threads of their own (0: one engine on each event loop)"
        )
    }
}
