import Foundation
import JSON
import Testing
@testable import agentd

/// The operator's commands (docs/operations.md, "1. Deploy"): `agentd healthcheck` and `agentd config`, and the
/// promise that `--help` and the README name every variable agentd reads.
@Suite("agentd healthcheck and agentd config")
struct OperatorCommandsTests {
    @Test("healthcheck exits 0 against a live agentd (default URL from AGENTD_PORT, and --url), 1 when nothing answers")
    func healthcheck() async throws {
        let agentd = try await AgentdProcess.serve()
        defer { agentd.kill() }
        let byPort = try await AgentdProcess.run(["healthcheck"], environment: ["AGENTD_PORT": String(agentd.port)])
        #expect(byPort.exit == .exited(0), "\(byPort.standardError)")
        let byURL = try await AgentdProcess.run(["healthcheck", "--url", "http://127.0.0.1:\(agentd.port)/health/live"])
        #expect(byURL.exit == .exited(0), "\(byURL.standardError)")
        // Any answer but 200 fails the check.
        let notLive = try await AgentdProcess.run(["healthcheck", "--url", "http://127.0.0.1:\(agentd.port)/nope"])
        #expect(notLive.exit == .exited(1))
        #expect(notLive.standardError.contains("404"))
        let closed = try LoopbackPort.free()
        let started = ContinuousClock.now
        let nobody = try await AgentdProcess.run(["healthcheck"], environment: ["AGENTD_PORT": String(closed)])
        #expect(nobody.exit == .exited(1))
        #expect(ContinuousClock.now - started < .seconds(8), "a quick timeout")
    }

    @Test("healthcheck refuses bad arguments with exit 2", arguments: [["--url"], ["--url", "ftp://x"], ["--verbose"]])
    func healthcheckArguments(_ arguments: [String]) async throws {
        let finished = try await AgentdProcess.run(["healthcheck"] + arguments)
        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.contains("healthcheck"))
    }

    @Test("config prints every variable's effective value as JSON, with secrets redacted")
    func configRedactsSecrets() async throws {
        let secrets = [
            "AGENTD_API_KEYS": "sk-client-1,sk-client-2", "AGENTD_METRICS_TOKEN": "scrape-secret", "AGENTD_WEBHOOK_SECRET": "whsec-1",
            "OPENAI_API_KEY": "sk-openai-secret", "AGENTD_PROVIDER_LOCAL_API_KEY": "sk-local-secret",
        ]
        var environment = secrets
        environment["AGENTD_PROVIDER_LOCAL_BASE_URL"] = "http://127.0.0.1:11434/v1"
        environment["AGENTD_PORT"] = "9090"
        environment["AGENTD_HOST"] = "localhost"
        let finished = try await AgentdProcess.run(["config"], environment: environment)
        #expect(finished.exit == .exited(0), "\(finished.standardError)")
        for value in secrets.values.flatMap({ $0.split(separator: ",").map(String.init) }) {
            #expect(!finished.standardOutput.contains(value), "\(value) printed")
        }
        let json = try JSONValue.parse(finished.standardOutput)
        let variables = try #require(json["variables"])
        #expect(variables["AGENTD_PORT"] == 9090)
        #expect(variables["AGENTD_HOST"] == "127.0.0.1", "the effective address, not the text")
        #expect(variables["AGENTD_DEFAULT_MODEL"] == "openai:gpt-4o-mini")
        for name in ["AGENTD_API_KEYS", "AGENTD_METRICS_TOKEN", "AGENTD_WEBHOOK_SECRET", "OPENAI_API_KEY"] {
            #expect(variables[name] == .string(Configuration.redacted), "\(name)")
        }
        #expect(variables["ANTHROPIC_API_KEY"] == .null)
        let local = json["providers"]?.arrayValue?.first { $0["name"] == "local" }
        #expect(local?["api_key"] == .string(Configuration.redacted))
        #expect(local?["base_url"] == "http://127.0.0.1:11434/v1")
        // Every variable of --help that is not a per-provider template is in the output.
        for setting in Configuration.settings where !setting.name.contains("<") {
            #expect(variables[setting.name] != nil, "\(setting.name) missing from agentd config")
        }
    }

    @Test("config validates like a start: a bad value exits 2 naming the variable")
    func configValidates() async throws {
        let finished = try await AgentdProcess.run(["config"], environment: ["AGENTD_TASK_WORKERS": "many"])
        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.contains("AGENTD_TASK_WORKERS"))
        #expect(finished.standardOutput.isEmpty)
    }

    /// The repository's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("every AGENTD_* variable the code reads is in --help, and README's table lists --help's with their defaults")
    func everyVariableIsDocumented() throws {
        var read = Set<String>()
        let sources = Self.root.appendingPathComponent("Sources/agentd")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        let pattern = try NSRegularExpression(pattern: #""(AGENTD_[A-Z_]+)""#)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let name = String(text[range])
                if !name.hasSuffix("_") { read.insert(name) }
            }
        }
        #expect(read.count > 40, "found only \(read.sorted())")
        let help = Set(Configuration.settings.map(\.name))
        for name in read.sorted() where !name.hasPrefix("AGENTD_PROVIDER_") {
            #expect(help.contains(name), "\(name) is read but not in --help")
        }
        // README's and docs/configuration.md's tables are the declarations' (scripts/config-table.sh --write).
        for file in ["README.md", "docs/configuration.md"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            #expect(text.contains(Configuration.markdownTable), "\(file)'s table differs: run scripts/config-table.sh --write")
        }
        for setting in Configuration.settings {
            #expect(Configuration.markdownTable.contains("| `\(setting.name)` |"), "\(setting.name) is not in the table")
        }
    }
}
