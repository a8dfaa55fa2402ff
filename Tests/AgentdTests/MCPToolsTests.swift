import Foundation
import JSON
import RedisSupport
import Testing

/// Agents whose tools live on MCP servers (README.md, "Agents that act", `mcp_servers`), against real servers from
/// the official MCP Python SDK: one answering in SSE with sessions, one stateless in JSON. The built-in mock's
/// tool-calling model calls the first tool offered with `{"query": <the message>}`; `allowed_tools` picks it.
@Suite("MCP tools", .serialized)
struct MCPToolsTests {
    static func agents(_ servers: [(name: String, server: MCPServerProcess, allowed: String)], extra: String = "") -> String {
        let list = servers.map { #"{"name":"\#($0.name)","url":"\#($0.server.url)","allowed_tools":["\#($0.allowed)"],"timeout_ms":1500}"# }
        return #"{"agent": {"model": "mock:tool", "mcp_servers": [\#(list.joined(separator: ","))]\#(extra)}}"#
    }

    static func chat(_ agentd: AgentdUnderTest, _ message: String) throws -> JSONValue {
        try JSONValue.parse(try agentd.post("/chat", #"{"agent":"agent","message":"\#(message)"}"#).body)
    }

    static func waitUntilServersUp(_ agentd: AgentdUnderTest, timeout: Duration = .seconds(10)) async -> Bool {
        await waitUntil(timeout, interval: .milliseconds(50)) {
            guard let text = try? agentd.send("GET", "/health").bodyText else { return false }
            return text.contains("\"mcp:") && !text.contains("unreachable") && !text.contains("listing its tools")
        }
    }

    static func chat(_ agentd: AgentdProcess, _ message: String) throws -> JSONValue {
        try JSONValue.parse(try ChatRoutesTests.post("/chat", #"{"agent":"agent","message":"\#(message)"}"#, port: agentd.port).body)
    }

    /// Waits until `/health` shows every MCP server up (their tools listed).
    static func waitUntilServersUp(_ agentd: AgentdProcess, timeout: Duration = .seconds(10)) async -> Bool {
        await waitUntil(timeout, interval: .milliseconds(50)) {
            guard let text = try? HTTPTestClient.send("GET", "/health", port: agentd.port).bodyText else { return false }
            return text.contains("\"mcp:") && !text.contains("unreachable") && !text.contains("listing its tools")
        }
    }

    @Test("the loop calls MCP tools on a server answering in SSE with sessions and on a stateless JSON one", arguments: Level.allCases, ["sse", "json"])
    func callsAnMCPTool(level: Level, mode: String) async throws {
        let server = try await MCPServerProcess(mode: mode, stateless: mode == "json")
        defer { server.kill() }
        let (agentd, file) = try await AgentToolsTests.agentd(level, Self.agents([("search", server, "lookup")]))
        defer { agentd.stop(); try? FileManager.default.removeItem(at: file) }
        #expect(await Self.waitUntilServersUp(agentd))
        let answer = try Self.chat(agentd, "penguins")
        #expect(answer["response"]?.stringValue == "tool said: mcp found: penguins", "\(answer)")
        #expect(answer["steps"]?[0]?["name"] == "lookup" && answer["steps"]?[0]?["ok"] == true)
        let metrics = try agentd.send("GET", "/metrics").bodyText
        #expect(metrics.contains(#"agentd_tool_calls_total{agent="agent",tool="lookup",outcome="success"} 1"#))
    }

    @Test(arguments: Level.allCases)
    func onlyAllowedToolsAreOfferedAndErrorsAndTimeoutsGoBackToTheModel(_ level: Level) async throws {
        let server = try await MCPServerProcess(mode: "sse")
        defer { server.kill() }
        let agents = #"""
        {"broken": {"model": "mock:tool", "mcp_servers": [{"name":"s","url":"\#(server.url)","allowed_tools":["broken"]}]},
         "slow": {"model": "mock:tool", "mcp_servers": [{"name":"s2","url":"\#(server.url)","allowed_tools":["slow"],"timeout_ms":500}]},
         "shout": {"model": "mock:tool", "mcp_servers": [{"name":"s3","url":"\#(server.url)","allowed_tools":["shout"]}]}}
        """#
        let (agentd, file) = try await AgentToolsTests.agentd(level, agents)
        defer { agentd.stop(); try? FileManager.default.removeItem(at: file) }
        #expect(await Self.waitUntilServersUp(agentd))
        let broken = try JSONValue.parse(try agentd.post("/chat", #"{"agent":"broken","message":"x"}"#).body)
        #expect(broken["steps"]?[0]?["ok"] == false, "\(broken)")
        #expect(broken["response"]?.stringValue?.hasPrefix("tool said: error:") == true, "\(broken)")
        let startedNs = DispatchTime.now().uptimeNanoseconds
        let slow = try JSONValue.parse(try agentd.post("/chat", #"{"agent":"slow","message":"x"}"#).body)
        #expect(Double(DispatchTime.now().uptimeNanoseconds - startedNs) / 1e9 < 2.5)
        #expect(slow["response"]?.stringValue?.contains("timed out") == true, "\(slow)")
        // The first tool offered is the one allowed (the server lists lookup first).
        let shout = try JSONValue.parse(try agentd.post("/chat", #"{"agent":"shout","message":"quiet"}"#).body)
        #expect(shout["response"]?.stringValue == "tool said: QUIET", "\(shout)")
        let metrics = try agentd.send("GET", "/metrics").bodyText
        #expect(metrics.contains(#"agentd_tool_calls_total{agent="broken",tool="broken",outcome="error"} 1"#))
        #expect(metrics.contains(#"agentd_tool_calls_total{agent="slow",tool="slow",outcome="timeout"} 1"#))
    }

    @Test func aRestartedServerGetsANewSessionAndTheCallSucceeds() async throws {
        let server = try await MCPServerProcess(mode: "sse")
        defer { server.kill() }
        let (agentd, file) = try await AgentToolsTests.agentd(Self.agents([("search", server, "lookup")]))
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        #expect(await Self.waitUntilServersUp(agentd))
        #expect(try Self.chat(agentd, "before")["response"] == "tool said: mcp found: before")
        // The server forgets every session: the next call meets a 404, initializes again and is retried once.
        try await server.restart()
        let after = try Self.chat(agentd, "after")
        #expect(after["response"] == "tool said: mcp found: after", "\(after)")
        #expect(await agentd.standardOutput.waitForLine { $0.contains("mcp session expired") } != nil)
    }

    @Test func aToolListChangeTheServerAnnouncesIsPickedUpAtOnce() async throws {
        let server = try await MCPServerProcess(mode: "sse")
        defer { server.kill() }
        let agents = #"{"agent": {"model": "mock:tool", "mcp_servers": [{"name":"s","url":"\#(server.url)","allowed_tools":["grow","fresh"]}]}}"#
        let (agentd, file) = try await AgentToolsTests.agentd(agents)
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        #expect(await Self.waitUntilServersUp(agentd))
        #expect(try HTTPTestClient.send("GET", "/health", port: agentd.port).bodyText.contains("1 tools"))
        // grow adds the tool fresh and announces it on the session's GET stream; the list is a minute from stale.
        #expect(try Self.chat(agentd, "now")["response"] == "tool said: grown")
        let listed = await waitUntil(.seconds(5)) {
            (try? HTTPTestClient.send("GET", "/health", port: agentd.port).bodyText.contains("2 tools")) == true
        }
        #expect(listed, "the list changed notification refreshed the tools")
    }

    @Test func aServerDownAtStartIsRetriedAndItsToolsAppearWhenItAnswers() async throws {
        let port = try RedisServerProcess.freePort()
        let url = "http://127.0.0.1:\(port)/mcp"
        let agents = #"{"agent": {"model": "mock:tool", "mcp_servers": [{"name":"late","url":"\#(url)","allowed_tools":["lookup"]}]}}"#
        let (agentd, file) = try await AgentToolsTests.agentd(agents)
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        let health = try HTTPTestClient.send("GET", "/health", port: agentd.port).bodyText
        #expect(health.contains("\"mcp:late\"") && health.contains("unreachable"), "\(health)")
        // Without its tools the agent answers plainly (no tool to call).
        #expect(try Self.chat(agentd, "early")["response"] == "echo: early")
        let server = try await MCPServerProcess(mode: "sse", port: port)
        defer { server.kill() }
        #expect(await Self.waitUntilServersUp(agentd, timeout: .seconds(20)))
        #expect(try Self.chat(agentd, "late")["response"] == "tool said: mcp found: late")
    }

    @Test("a bad MCP server entry stops agentd with status 2", arguments: [
        (#"{"a": {"mcp_servers": [{"name":"s","url":"ftp://x"}]}}"#, "url must be"),
        (#"{"a": {"mcp_servers": [{"name":"s","url":"http://x/","allowed_tools":"lookup"}]}}"#, "allowed_tools"),
        (#"{"a": {"tools": [{"type":"http","name":"lookup","url":"http://x/"}], "mcp_servers": [{"name":"s","url":"http://x/","allowed_tools":["lookup"]}]}}"#, "used twice"),
        (#"{"a": {"mcp_servers": [{"name":"s","url":"http://x/","headers":{"Authorization":"${AGENTD_TEST_UNSET_MCP}"}}]}}"#, "AGENTD_TEST_UNSET_MCP is not set"),
    ])
    func badServers(agents: String, problem: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try agents.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let finished = try await AgentdProcess.run([], environment: ["AGENTD_AGENTS_FILE": file.path, "AGENTD_PORT": "0"], timeout: .seconds(10))
        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.contains(problem), "\(finished.standardError)")
    }
}
