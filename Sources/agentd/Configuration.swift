import Glibc
import JSON
import Logging
import Server

/// agentd's effective configuration, read from the environment once at start.
/// Every field names its unit and starts at its variable's default (`Configuration.Variable`). Their types are written
/// out: a declaration names its field by key path, so the field's type cannot be inferred from the declaration.
struct Configuration: Sendable {
    var host: String = Variable.host.defaultValue
    var port: Int = Variable.port.defaultValue
    var eventLoops: Int = Variable.eventLoops.defaultValue
    var maxHeaderBytes: Int = Variable.maxHeaderBytes.defaultValue
    var maxBodyBytes: Int = Variable.maxBodyBytes.defaultValue
    var headerTimeoutMs: Int = Variable.headerTimeoutMs.defaultValue
    var bodyTimeoutMs: Int = Variable.bodyTimeoutMs.defaultValue
    var idleTimeoutS: Int = Variable.idleTimeoutS.defaultValue
    var maxConnections: Int = Variable.maxConnections.defaultValue
    var logLevel: LogLevel = Variable.logLevel.defaultValue
    var logFormat: LogFormat = Variable.logFormat.defaultValue
    var drainDelayS: Int = Variable.drainDelayS.defaultValue
    var shutdownGraceS: Int = Variable.shutdownGraceS.defaultValue
    var allowUnauthenticated: Bool = Variable.allowUnauthenticated.defaultValue
    var providers: ProviderSettings = ProviderSettings()
    var protection: ProtectionSettings = ProtectionSettings()
    var agentsFile: String?
    var maxMessageChars: Int = Variable.maxMessageChars.defaultValue
    /// AGENTD_TOOL_RESULT_MAX_BYTES: a tool result longer than this is cut (with a marker) before the model reads it.
    var toolResultMaxBytes: Int = Variable.toolResultMaxBytes.defaultValue
    var maxTokensPerRequest: Int = Variable.maxTokensPerRequest.defaultValue
    var conversationsMax: Int = Variable.conversationsMax.defaultValue
    var conversationTTLS: Int = Variable.conversationTTLS.defaultValue
    var conversationMaxTokens: Int = Variable.conversationMaxTokens.defaultValue
    var sseKeepAliveMs: Int = Variable.sseKeepAliveMs.defaultValue
    /// Transfer engine threads of their own (AGENTD_UPSTREAM_THREADS); 0, the default, runs one engine on each
    /// event loop's thread instead, so a request and its upstream call never change threads.
    var upstreamThreads: Int = Variable.upstreamThreads.defaultValue
    var tasks: TaskSettings = TaskSettings()
    var redis: RedisSettings = RedisSettings()
    var tracing: TracingSettings = TracingSettings()

    /// One environment variable as `--help`, `agentd config`, README.md's table and docs/configuration.md show it:
    /// its name, default, the values it accepts (empty: see the summary) and what it does, with how it is read and
    /// printed. A declared variable's row comes from its declaration (`ConfigurationVariable.setting`).
    struct Setting: Sendable {
        let name: String
        let defaultValue: String
        let summary: String
        var accepted = ""
        /// Sets its field from the environment, unset leaving the default. Nil for the variables a group reads itself
        /// (`ProviderSettings.addProviders`).
        var read: (@Sendable ([String: String], inout Configuration) throws(ConfigurationError) -> Void)?
        /// The value in force, as `agentd config` prints it; nil for per-provider templates (listed under `providers`).
        var effective: (@Sendable (Configuration, [String: String]) -> JSONValue)?
    }

    /// Reads every variable of `settings`, then the providers, then the rules between variables.
    static func load(from environment: [String: String]) throws(ConfigurationError) -> Configuration {
        var configuration = Configuration()
        for setting in settings { try setting.read?(environment, &configuration) }
        try configuration.providers.addProviders(from: environment)
        let protection = configuration.protection
        if protection.retryMaxMs < protection.retryBaseMs {
            throw ConfigurationError(
                variable: "AGENTD_RETRY_MAX_MS", value: String(protection.retryMaxMs), problem: "smaller than AGENTD_RETRY_BASE_MS",
                accepted: "a cap at least as large as the base delay"
            )
        }
        // docs/api.md, Authentication: bound to a non-loopback address with no API key configured, agentd refuses to
        // start unless told otherwise (as LiteLLM does): an open gateway spends its owner's provider credit.
        if !IPAddressText.isLoopback(configuration.host) && !protection.hasKeys && !configuration.allowUnauthenticated {
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

/// Reads of the per-provider variables, whose names are only known at start (`ProviderSettings.addProviders`).
struct EnvironmentReader {
    let environment: [String: String]

    init(_ environment: [String: String]) { self.environment = environment }

    func choice<T>(
        _ name: String, default defaultValue: T, _ parse: (String) -> T?, accepted: String
    ) throws(ConfigurationError) -> T {
        guard let text = environment[name] else { return defaultValue }
        guard let value = parse(text.trimmingBlanks().lowercased()) else {
            throw ConfigurationError(variable: name, value: text, problem: "not a known value", accepted: accepted)
        }
        return value
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
