import Logging
import Server

/// mock-llm's configuration, read from the environment once at start. Units are in the names.
struct MockConfiguration: Sendable {
    var host = "127.0.0.1"
    var port = 8081
    var maxConnections = 20_000
    var logLevel = LogLevel.info
    /// When set, the OpenAI routes require `Authorization: Bearer <key>` and the Anthropic route `x-api-key: <key>`.
    var apiKey: String?

    /// One environment variable, for `--help`.
    struct Setting: Sendable {
        let name: String
        let defaultValue: String
        let summary: String
    }

    static let settings: [Setting] = [
        Setting(name: "MOCK_LLM_HOST", defaultValue: "127.0.0.1", summary: "address to listen on (IPv4 or IPv6 literal)"),
        Setting(name: "MOCK_LLM_PORT", defaultValue: "8081", summary: "port to listen on (0: any free port)"),
        Setting(name: "MOCK_LLM_MAX_CONNECTIONS", defaultValue: "20000", summary: "open connections; more are closed at once"),
        Setting(name: "MOCK_LLM_LOG_LEVEL", defaultValue: "info", summary: "debug (one line per request), info, warning or error"),
        Setting(name: "MOCK_LLM_API_KEY", defaultValue: "unset", summary: "when set, the key clients must send (Bearer / x-api-key)"),
    ]

    static func load(from environment: [String: String]) throws(MockConfigurationError) -> MockConfiguration {
        var configuration = MockConfiguration()
        if let host = environment["MOCK_LLM_HOST"] {
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else {
                throw MockConfigurationError(variable: "MOCK_LLM_HOST", value: host, accepted: "an IPv4 or IPv6 literal")
            }
            configuration.host = host
        }
        configuration.port = try integer(environment, "MOCK_LLM_PORT", default: configuration.port, in: 0...65535)
        configuration.maxConnections = try integer(
            environment, "MOCK_LLM_MAX_CONNECTIONS", default: configuration.maxConnections, in: 1...1_000_000
        )
        if let text = environment["MOCK_LLM_LOG_LEVEL"] {
            guard let level = LogLevel(name: text) else {
                throw MockConfigurationError(variable: "MOCK_LLM_LOG_LEVEL", value: text, accepted: "debug|info|warning|error")
            }
            configuration.logLevel = level
        }
        if let key = environment["MOCK_LLM_API_KEY"], !key.isEmpty { configuration.apiKey = key }
        return configuration
    }

    private static func integer(
        _ environment: [String: String], _ name: String, default value: Int, in range: ClosedRange<Int>
    ) throws(MockConfigurationError) -> Int {
        guard let text = environment[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw MockConfigurationError(variable: name, value: text, accepted: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// Streams are long-lived and many: no keep-alive or write deadline should cut a paused benchmark stream short
    /// before agentd's own timeouts do.
    var server: ServerConfiguration {
        ServerConfiguration(
            host: host, port: port, eventLoopCount: 0,
            limits: .init(maxRequestLineBytes: 8192, maxHeaderBytes: 65536, maxBodyBytes: 16 * 1_048_576),
            headerTimeoutMs: 30_000, bodyTimeoutMs: 30_000, idleTimeoutMs: 120_000, writeTimeoutMs: 60_000,
            maxConnections: maxConnections, lingerMs: 500, listenBacklog: 8192
        )
    }
}

/// A bad environment value: exit status 2 and one line naming the variable, the value and the accepted form.
struct MockConfigurationError: Error, CustomStringConvertible {
    let variable: String
    let value: String
    let accepted: String

    var description: String { "mock-llm: \(variable)=\(value) is invalid; expected \(accepted)" }
}
