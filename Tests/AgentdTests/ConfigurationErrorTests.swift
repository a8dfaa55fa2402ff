import Testing

/// docs/operations.md, "1. Deploy": "A bad value stops agentd with exit status 2 and one line on stderr naming
/// the variable, the problem and the accepted form; nothing starts half-configured."
@Suite("agentd refuses a bad configuration")
struct ConfigurationErrorTests {
    /// One bad variable, with the words its error line must carry.
    struct BadValue: CustomTestStringConvertible, Sendable {
        let variable: String
        let value: String
        let problem: String
        let accepted: String

        var testDescription: String { "\(variable)=\(value)" }
    }

    static let badValues: [BadValue] = [
        BadValue(variable: "AGENTD_PORT", value: "abc", problem: "not a whole number", accepted: "from 0 to 65535"),
        BadValue(variable: "AGENTD_PORT", value: "70000", problem: "out of range", accepted: "from 0 to 65535"),
        BadValue(variable: "AGENTD_MAX_CONNECTIONS", value: "0", problem: "out of range", accepted: "from 1 to 1000000"),
        BadValue(variable: "AGENTD_LOG_LEVEL", value: "loud", problem: "not a known value", accepted: "debug|info|warning|error"),
        BadValue(variable: "AGENTD_LOG_FORMAT", value: "xml", problem: "not a known value", accepted: "json|text"),
        BadValue(variable: "AGENTD_HOST", value: "not-an-ip", problem: "not an IP address", accepted: "IPv4 or IPv6 literal"),
        BadValue(variable: "AGENTD_HEADER_TIMEOUT_MS", value: "-5", problem: "out of range", accepted: "from 1 to 3600000"),
        BadValue(variable: "AGENTD_DRAIN_DELAY_S", value: "1.5", problem: "not a whole number", accepted: "from 0 to 3600"),
        BadValue(variable: "AGENTD_ALLOW_UNAUTHENTICATED", value: "maybe", problem: "not a known value", accepted: "true|false"),
        // docs/api.md, Authentication: a non-loopback address with no API key configured needs the explicit opt-in.
        BadValue(variable: "AGENTD_HOST", value: "0.0.0.0", problem: "not a loopback address", accepted: "AGENTD_ALLOW_UNAUTHENTICATED=true"),
        BadValue(variable: "AGENTD_HOST", value: "::", problem: "not a loopback address", accepted: "AGENTD_ALLOW_UNAUTHENTICATED=true"),
        // Shared state on Redis (docs/configuration.md, AGENTD_REDIS_*).
        BadValue(variable: "AGENTD_REDIS_URL", value: "http://redis:6379", problem: "scheme must be redis://", accepted: "redis://"),
        BadValue(variable: "AGENTD_REDIS_URL", value: "redis://redis:99999", problem: "port", accepted: "rediss://"),
        BadValue(variable: "AGENTD_REDIS_TIMEOUT_MS", value: "0", problem: "out of range", accepted: "from 1 to 60000"),
        BadValue(variable: "AGENTD_CORS_ORIGINS", value: "https://app.test/path", problem: "is not an origin", accepted: "scheme://host[:port]"),
        BadValue(variable: "AGENTD_OTLP_ENDPOINT", value: "otel:4318", problem: "not an http(s) URL", accepted: "http(s)://host[:port]"),
        BadValue(variable: "AGENTD_TRACE_SAMPLE_RATIO", value: "1.5", problem: "out of range", accepted: "a number from 0 to 1"),
        BadValue(variable: "AGENTD_REDIS_PREFIX", value: "has space", problem: "not a usable key prefix", accepted: "visible ASCII"),
        BadValue(variable: "AGENTD_REDIS_RATE_LIMIT_FALLBACK", value: "open", problem: "not a known value", accepted: "local|closed"),
        BadValue(variable: "AGENTD_REDIS_CA_FILE", value: "/nonexistent/ca.pem", problem: "cannot read the file", accepted: "readable PEM"),
    ]

    @Test("exits 2 with one stderr line naming the variable, the value and the accepted form", arguments: badValues)
    func badValueExitsWithStatusTwo(_ bad: BadValue) async throws {
        // A free port, so that if the value were wrongly accepted, the stray server would not collide with
        // anything; `run` kills it when the time runs out.
        var environment = ["AGENTD_PORT": String(try LoopbackPort.free())]
        environment[bad.variable] = bad.value
        let finished = try await AgentdProcess.run([], environment: environment, timeout: .seconds(10))

        #expect(finished.exit == .exited(2))
        let lines = finished.standardError.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines.last == "", "exactly one line, ending in a newline: \(finished.standardError.debugDescription)")
        let line = String(lines.first ?? "")
        #expect(line.contains(bad.variable))
        #expect(line.contains("\"\(bad.value)\""), "the value, quoted: \(line)")
        #expect(line.contains(bad.problem), "the problem: \(line)")
        #expect(line.contains(bad.accepted), "the accepted form: \(line)")
        #expect(!finished.standardOutput.contains("listening"), "nothing served: \(finished.standardOutput)")
    }

    @Test("several bad values still make one line, and nothing starts")
    func severalBadValuesReportOne() async throws {
        let finished = try await AgentdProcess.run(
            [], environment: ["AGENTD_PORT": "abc", "AGENTD_LOG_LEVEL": "loud"], timeout: .seconds(10)
        )

        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.filter { $0 == "\n" }.count == 1, "one line: \(finished.standardError)")
        #expect(finished.standardOutput.isEmpty, "no log line at all: \(finished.standardOutput)")
    }

    @Test("AGENTD_ALLOW_UNAUTHENTICATED=true lets agentd serve on every address")
    func unauthenticatedOptIn() async throws {
        let server = try await AgentdProcess.serve(["AGENTD_HOST": "0.0.0.0", "AGENTD_ALLOW_UNAUTHENTICATED": "true"])
        defer { server.kill() }

        let response = try HTTPTestClient.send("GET", "/health/ready", port: server.port)
        #expect(response.status == 200)
        #expect(server.standardError.text.isEmpty)
    }

    @Test("a value with surrounding blanks is accepted, and localhost means 127.0.0.1")
    func blanksAndLocalhostAreAccepted() async throws {
        let server = try await AgentdProcess.serve(["AGENTD_HOST": "localhost", "AGENTD_LOG_LEVEL": " Warning "])
        defer { server.kill() }

        let response = try HTTPTestClient.send("GET", "/health/live", port: server.port)
        #expect(response.status == 200)
        #expect(server.standardError.text.isEmpty)
    }
}
