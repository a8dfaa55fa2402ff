import Testing
@testable import agentd

/// `agentd --help`, `--version` and unknown subcommands, run as the built binary.
@Suite("agentd's command line")
struct CommandLineTests {
    @Test("--help exits 0 and lists every environment variable with its default")
    func helpListsEverySetting() async throws {
        let finished = try await AgentdProcess.run(["--help"])

        #expect(finished.exit == .exited(0))
        #expect(finished.standardError.isEmpty)
        let help = finished.standardOutput
        #expect(Configuration.settings.count >= 14, "the table lost entries: \(Configuration.settings.map(\.name))")
        for setting in Configuration.settings {
            let line = help.split(separator: "\n").first { $0.split(separator: " ").first.map(String.init) == setting.name }
            #expect(line != nil, "\(setting.name) is missing from --help")
            #expect(line?.hasSuffix("[\(setting.defaultValue)]") == true, "\(setting.name) without its default: \(line ?? "")")
        }
        #expect(help.contains("--help"))
        #expect(help.contains("--version"))
    }

    @Test("the settings table names the variables Configuration.load reads", arguments: [
        ("AGENTD_HOST", "127.0.0.1"), ("AGENTD_PORT", "8080"), ("AGENTD_MAX_CONNECTIONS", "10000"),
        ("AGENTD_HEADER_TIMEOUT_MS", "10000"), ("AGENTD_IDLE_TIMEOUT_S", "75"), ("AGENTD_MAX_HEADER_BYTES", "16384"),
        ("AGENTD_MAX_BODY_BYTES", "1048576"), ("AGENTD_LOG_LEVEL", "info"), ("AGENTD_LOG_FORMAT", "json"),
        ("AGENTD_DRAIN_DELAY_S", "0"), ("AGENTD_SHUTDOWN_GRACE_S", "25"), ("AGENTD_ALLOW_UNAUTHENTICATED", "false"),
    ])
    func contractDefaultsAreListed(name: String, contractDefault: String) {
        let setting = Configuration.settings.first { $0.name == name }
        #expect(setting?.defaultValue == contractDefault, "docs/configuration.md gives \(name) the default \(contractDefault)")
    }

    @Test("--help and -h print the same text")
    func shortHelp() async throws {
        let long = try await AgentdProcess.run(["--help"])
        let short = try await AgentdProcess.run(["-h"])

        #expect(short.exit == .exited(0))
        #expect(short.standardOutput == long.standardOutput)
    }

    @Test("--version prints agentd and the version, and nothing else")
    func version() async throws {
        let finished = try await AgentdProcess.run(["--version"])

        #expect(finished.exit == .exited(0))
        #expect(finished.standardOutput == "agentd \(AgentdVersion.current)\n")
        #expect(finished.standardError.isEmpty)
        let parts = AgentdVersion.current.split(separator: ".")
        #expect(parts.count == 3 && parts.allSatisfy { Int($0) != nil }, "semantic version: \(AgentdVersion.current)")
    }

    @Test("an unknown subcommand exits 2, names itself on stderr and serves nothing", arguments: ["frobnicate", "--verbose"])
    func unknownSubcommand(_ argument: String) async throws {
        let port = try LoopbackPort.free()
        let finished = try await AgentdProcess.run([argument], environment: ["AGENTD_PORT": String(port)])

        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.contains(argument), "stderr: \(finished.standardError)")
        #expect(finished.standardError.contains("--help"), "points at --help: \(finished.standardError)")
        #expect(finished.standardOutput.isEmpty)
    }
}
