import Foundation
import JSON
import MockLLMSupport
import RedisSupport
import Testing

/// Agents whose tools agentd runs (README.md, API, "Agents that act"), end to end: the built-in mock's tool-calling
/// model (a model name containing "tool" calls the first tool with `{"query": <the message>}`, then answers
/// "tool said: <the result>") and HTTP tools served by the test.
@Suite("agent tools", .serialized)
struct AgentToolsTests {
    /// A tool server: `/ok` answers JSON, `/fail` 500, `/slow` after 3 s; it records every request.
    static func toolServer() throws -> WebhookReceiver {
        try WebhookReceiver { request in
            switch request.path {
            case "/ok": (200, #"{"temperature":21,"sky":"clear"}"#, 0)
            case "/fail": (500, #"{"error":"database down"}"#, 0)
            case "/slow": (200, "{}", 3000)
            case "/first": (200, #"{"n":1}"#, 1000)
            case "/second": (200, #"{"n":2}"#, 1000)
            default: (404, "no such tool", 0)
            }
        }
    }

    static func tool(_ name: String, path: String, port: Int, schema: String = #"{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}"#, extra: String = "") -> String {
        #"{"type":"http","name":"\#(name)","description":"the \#(name) tool","parameters":\#(schema),"url":"http://127.0.0.1:\#(port)\#(path)"\#(extra)}"#
    }

    /// agentd with `agents` (the JSON of the agents file) and `environment`.
    static func agentd(_ agents: String, _ environment: [String: String] = [:]) async throws -> (AgentdProcess, URL) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try agents.write(to: file, atomically: true, encoding: .utf8)
        var settings = environment
        settings["AGENTD_AGENTS_FILE"] = file.path
        return (try await AgentdProcess.serve(settings), file)
    }

    /// agentd at `level` with `agents` (the JSON of the agents file) and `environment`.
    static func agentd(_ level: Level, _ agents: String, _ environment: [String: String] = [:]) async throws -> (AgentdUnderTest, URL) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try agents.write(to: file, atomically: true, encoding: .utf8)
        var settings = environment
        settings["AGENTD_AGENTS_FILE"] = file.path
        return (try await AgentdUnderTest.start(level, settings), file)
    }

    static func chat(_ body: String, on agentd: AgentdUnderTest, headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try agentd.post("/chat", body, headers: [("Content-Type", "application/json")] + headers)
    }

    static func chat(_ body: String, port: Int, headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try ChatRoutesTests.post("/chat", body, port: port, headers: [("Content-Type", "application/json")] + headers)
    }

    @Test func anAgentRunsItsHTTPToolAndAnswersWithTheResultAndItsSteps() async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let (agentd, file) = try await Self.agentd(
            #"{"weather": {"model": "mock:tool", "tools": [\#(Self.tool("get_weather", path: "/ok", port: tools.port, extra: #","headers":{"Authorization":"Bearer ${WEATHER_TOKEN}"}"#))]}}"#,
            ["WEATHER_TOKEN": "s3cr3t-token"]
        )
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        let response = try Self.chat(#"{"agent":"weather","message":"Paris"}"#, port: agentd.port, headers: [("X-Request-ID", "req-tools-1")])
        #expect(response.status == 200, "\(response.bodyText)")
        let answer = try JSONValue.parse(response.body)
        #expect(answer["response"]?.stringValue == #"tool said: {"temperature":21,"sky":"clear"}"#)
        let step = try #require(answer["steps"]?.arrayValue?.first)
        #expect(step["name"] == "get_weather" && step["ok"] == true)
        #expect(step["arguments"]?.stringValue == #"{"query":"Paris"}"#)
        // The tool got the arguments as JSON, its header with the variable read at start, and the request id.
        let call = try #require(tools.requests.first)
        #expect(String(decoding: call.body, as: UTF8.self) == #"{"query":"Paris"}"#)
        #expect(call.headers["authorization"] == "Bearer s3cr3t-token")
        #expect(call.headers["x-request-id"] == "req-tools-1")
        // GET /agents shows the tool's name and description, never its URL or headers.
        let agents = try HTTPTestClient.send("GET", "/agents", port: agentd.port).bodyText
        #expect(agents.contains("get_weather") && !agents.contains("s3cr3t") && !agents.contains("127.0.0.1"))
        // Metrics and the log line per call, without the result or the token.
        let metrics = try HTTPTestClient.send("GET", "/metrics", port: agentd.port).bodyText
        #expect(metrics.contains(#"agentd_tool_calls_total{agent="weather",tool="get_weather",outcome="success"} 1"#))
        #expect(metrics.contains("agentd_agent_steps_count 1"))
        #expect(metrics.contains(#"agentd_tool_call_duration_seconds_count{tool="get_weather"} 1"#))
        #expect(await agentd.standardOutput.waitForLine { $0.contains("\"tool call\"") } != nil)
        let logs = agentd.standardOutput.text
        #expect(logs.contains("\"tool\":\"get_weather\"") && logs.contains("\"request_id\":\"req-tools-1\""))
        #expect(!logs.contains("temperature") && !logs.contains("s3cr3t") && !logs.contains("Paris"))
    }

    @Test func aStreamCarriesToolCallAndToolResultEventsBeforeTheAnswer() async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let (agentd, file) = try await Self.agentd(#"{"weather": {"model": "mock:tool", "tools": [\#(Self.tool("get_weather", path: "/ok", port: tools.port))]}}"#)
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        let response = try Self.chat(#"{"agent":"weather","message":"Paris","stream":true}"#, port: agentd.port)
        let events = try ChatRoutesTests.events(response)
        let types = events.compactMap { $0["type"]?.stringValue }
        // Consecutive text pieces as one: the final model call's answer streams word by word.
        let kinds = types.reduce(into: [String]()) { kinds, type in if kinds.last != type { kinds.append(type) } }
        #expect(kinds == ["tool_call", "tool_result", "text", "done"], "\(response.bodyText)")
        #expect(types.filter { $0 == "text" }.count > 1, "the answer streamed in pieces")
        let text = events.filter { $0["type"] == "text" }.compactMap { $0["content"]?.stringValue }.joined()
        #expect(text == #"tool said: {"temperature":21,"sky":"clear"}"#)
    }

    @Test(arguments: Level.allCases)
    func severalToolCallsRunAtOnceAndTheirResultsGoBackInTheModelsOrder(_ level: Level) async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let (agentd, file) = try await Self.agentd(
            level, #"{"both": {"model": "mock:tools", "tools": [\#(Self.tool("first", path: "/first", port: tools.port)), \#(Self.tool("second", path: "/second", port: tools.port))]}}"#
        )
        defer { agentd.stop(); try? FileManager.default.removeItem(at: file) }
        let startedNs = DispatchTime.now().uptimeNanoseconds
        let answer = try JSONValue.parse(try Self.chat(#"{"agent":"both","message":"x"}"#, on: agentd).body)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - startedNs) / 1e9
        #expect(seconds < 1.8, "two tools of 1 s each took \(seconds) s: not at once")
        #expect(answer["steps"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["first", "second"])
        #expect(answer["response"]?.stringValue == #"tool said: {"n":1} | {"n":2}"#, "\(answer)")
    }

    @Test(arguments: Level.allCases)
    func failingSlowAndMisusedToolsGoBackToTheModelAsErrorResults(_ level: Level) async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let agents = #"""
        {"failing": {"model": "mock:tool", "tools": [\#(Self.tool("lookup", path: "/fail", port: tools.port))]},
         "slow": {"model": "mock:tool", "tools": [\#(Self.tool("lookup", path: "/slow", port: tools.port, extra: #","timeout_ms":300"#))]},
         "strict": {"model": "mock:tool", "tools": [\#(Self.tool("lookup", path: "/ok", port: tools.port, schema: #"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}"#))]},
         "short": {"model": "mock:tool", "max_steps": 1, "tools": [\#(Self.tool("lookup", path: "/ok", port: tools.port))]}}
        """#
        let (agentd, file) = try await Self.agentd(level, agents)
        defer { agentd.stop(); try? FileManager.default.removeItem(at: file) }
        let failing = try JSONValue.parse(try Self.chat(#"{"agent":"failing","message":"x"}"#, on: agentd).body)
        #expect(failing["steps"]?[0]?["ok"] == false)
        #expect(failing["response"]?.stringValue?.contains("HTTP 500") == true, "\(failing)")
        let startedNs = DispatchTime.now().uptimeNanoseconds
        let slow = try JSONValue.parse(try Self.chat(#"{"agent":"slow","message":"x"}"#, on: agentd).body)
        #expect(Double(DispatchTime.now().uptimeNanoseconds - startedNs) / 1e9 < 2.5, "the loop did not wait for the slow tool")
        #expect(slow["response"]?.stringValue?.contains("did not answer in time") == true, "\(slow)")
        let strict = try JSONValue.parse(try Self.chat(#"{"agent":"strict","message":"x"}"#, on: agentd).body)
        #expect(strict["response"]?.stringValue?.contains("arguments.city: is required") == true, "\(strict)")
        #expect(!tools.requests.contains { $0.path == "/ok" }, "invalid arguments never reach the tool")
        let short = try Self.chat(#"{"agent":"short","message":"x"}"#, on: agentd)
        #expect(short.status == 502 && short.bodyText.contains("max_steps (1)"), "\(short.bodyText)")
        let metrics = try agentd.send("GET", "/metrics").bodyText
        for (agent, outcome) in [("failing", "error"), ("slow", "timeout"), ("strict", "invalid")] {
            #expect(metrics.contains(#"agentd_tool_calls_total{agent="\#(agent)",tool="lookup",outcome="\#(outcome)"} 1"#), "\(agent)")
        }
    }

    @Test("the loop on both provider kinds: a model that keeps calling tools gets each result, in turn", arguments: Level.allCases, ["openai", "anthropic"])
    func theLoopOnBothProviderKinds(level: Level, kind: String) async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let base = kind == "openai" ? "http://127.0.0.1:\(mock.port)/v1" : "http://127.0.0.1:\(mock.port)"
        let (agentd, file) = try await Self.agentd(
            level, #"{"worker": {"model": "up:m?tool=1&tool_steps=3", "tools": [\#(Self.tool("get_weather", path: "/ok", port: tools.port))]},"#
                + #""capped": {"model": "up:m?tool=1&tool_steps=3", "max_steps": 3, "tools": [\#(Self.tool("get_weather", path: "/ok", port: tools.port))]}}"#,
            ["AGENTD_PROVIDER_UP_BASE_URL": base, "AGENTD_PROVIDER_UP_KIND": kind]
        )
        defer { agentd.stop(); try? FileManager.default.removeItem(at: file) }
        let response = try Self.chat(#"{"agent":"worker","message":"Rome"}"#, on: agentd)
        #expect(response.status == 200, "\(response.bodyText)")
        let answer = try JSONValue.parse(response.body)
        #expect(answer["steps"]?.arrayValue?.count == 3, "\(answer)")
        #expect(answer["response"]?.stringValue == #"tool said: {"temperature":21,"sky":"clear"}"#)
        #expect(tools.requests.count == 3)
        #expect(String(decoding: tools.requests[0].body, as: UTF8.self) == #"{"query":"Rome"}"#)
        // Streamed, the tool calls are put together from the provider's pieces: the same three rounds.
        let streamed = try ChatRoutesTests.events(try Self.chat(#"{"agent":"worker","message":"Rome","stream":true}"#, on: agentd))
        #expect(streamed.filter { $0["type"] == "tool_result" && $0["ok"] == true }.count == 3, "\(streamed)")
        #expect(streamed.filter { $0["type"] == "text" }.compactMap { $0["content"]?.stringValue }.joined() == #"tool said: {"temperature":21,"sky":"clear"}"#)
        #expect(streamed.last?["type"] == "done")
        // Three tool rounds need four model calls: with max_steps 3 the run ends with an error naming the limit.
        let capped = try Self.chat(#"{"agent":"capped","message":"Rome"}"#, on: agentd)
        #expect(capped.status == 502 && capped.bodyText.contains("max_steps (3)"), "\(capped.bodyText)")
        let metrics = try agentd.send("GET", "/metrics").bodyText
        #expect(metrics.contains("agentd_agent_steps_sum 11"), "4 model calls, 4 streamed, then 3")
    }

    @Test(arguments: Level.allCases)
    func eachLaterModelCallReservesFromTheDailyBudgetAndARefusalEndsTheRun(_ level: Level) async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let (agentd, file) = try await Self.agentd(
            level, #"{"busy": {"model": "up:m?tool=1&tool_steps=5", "tools": [\#(Self.tool("get_weather", path: "/ok", port: tools.port))]}}"#,
            ["AGENTD_PROVIDER_UP_BASE_URL": "http://127.0.0.1:\(mock.port)/v1", "AGENTD_DAILY_TOKEN_BUDGET": "150", "AGENTD_RATE_LIMIT_RPS": "0"]
        )
        defer { agentd.stop(); try? FileManager.default.removeItem(at: file) }
        // Six model calls of up to 50 output tokens each cannot fit a budget of 150: a later call is refused.
        let response = try Self.chat(#"{"agent":"busy","message":"Rome","max_tokens":50}"#, on: agentd)
        #expect(response.status == 429, "\(response.bodyText)")
        #expect(try JSONValue.parse(response.body)["error"]?["type"] == "budget_exceeded")
        #expect(response.header("Retry-After") != nil)
        #expect(tools.requests.count >= 1 && tools.requests.count < 5, "\(tools.requests.count) tool calls before the refusal")
        // The next request of the key is refused at the door: the run's calls were all charged.
        let next = try Self.chat(#"{"agent":"busy","message":"again","max_tokens":50}"#, on: agentd)
        #expect(next.status == 429)
    }

    @Test func aClientThatLeavesMidToolCancelsTheToolCall() async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let (agentd, file) = try await Self.agentd(
            #"{"slow": {"model": "mock:tool", "tools": [\#(Self.tool("lookup", path: "/slow", port: tools.port, extra: #","timeout_ms":20000"#))]}}"#
        )
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        // The client gives up after 500 ms, while the tool takes 3 s.
        _ = try? HTTPTestClient.send(
            "POST", "/chat", port: agentd.port, headers: [("Content-Type", "application/json")],
            body: Array(#"{"agent":"slow","message":"x"}"#.utf8), timeoutMs: 500
        )
        #expect(
            await agentd.standardOutput.waitForLine { $0.contains("\"outcome\":\"error\"") } != nil,
            "the tool call ended when the client left, not after 3 s"
        )
        let line = agentd.standardOutput.text.split(separator: "\n").first { $0.contains("\"tool call\"") } ?? ""
        let ms = Double(line.split(separator: "\"duration_ms\":").last?.prefix { $0 != "," && $0 != "}" } ?? "") ?? 99_999
        #expect(ms < 2_000, "\(line)")
    }

    @Test(arguments: Level.allCases)
    func anAgentsKeysGateChatAndTasks(_ level: Level) async throws {
        let keysFile = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        let digest = { (key: String) in "sha256:" + ClientLimitsTests.sha256Hex(key) }
        try "alice \(digest("alice-key"))\nbob \(digest("bob-key"))\n".write(to: keysFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: keysFile) }
        let (agentd, file) = try await Self.agentd(
            level, #"{"private": {"model": "mock:echo", "keys": ["alice"]}}"#, ["AGENTD_API_KEYS_FILE": keysFile.path, "AGENTD_RATE_LIMIT_RPS": "0"]
        )
        defer { agentd.stop(); try? FileManager.default.removeItem(at: file) }
        let alice = try Self.chat(#"{"agent":"private","message":"hi"}"#, on: agentd, headers: [("Authorization", "Bearer alice-key")])
        let bob = try Self.chat(#"{"agent":"private","message":"hi"}"#, on: agentd, headers: [("Authorization", "Bearer bob-key")])
        #expect(alice.status == 200)
        #expect(bob.status == 403)
        #expect(try JSONValue.parse(bob.body)["error"]?["type"] == "forbidden")
        let task = try TaskRoutesTests.submit(#"{"agent":"private","message":"hi"}"#, to: agentd, headers: [("Authorization", "Bearer bob-key")])
        #expect(task.status == 403)
        // Without API keys configured no request has a key: an agent limited to keys serves nobody.
        let (open, openFile) = try await Self.agentd(level, #"{"private": {"model": "mock:echo", "keys": ["alice"]}}"#)
        defer { open.stop(); try? FileManager.default.removeItem(at: openFile) }
        #expect(try Self.chat(#"{"agent":"private","message":"hi"}"#, on: open).status == 403)
        #expect(try Self.chat(#"{"message":"hi"}"#, on: open).status == 200)
    }

    @Test(arguments: Level.allCases)
    func aTaskOfAnAgentWithToolsRunsTheLoop(_ level: Level) async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let (agentd, file) = try await Self.agentd(level, #"{"weather": {"model": "mock:tool", "tools": [\#(Self.tool("get_weather", path: "/ok", port: tools.port))]}}"#)
        defer { agentd.stop(); try? FileManager.default.removeItem(at: file) }
        #expect(try await TaskRoutesTests.waitUntilReady(agentd))
        let submitted = try TaskRoutesTests.submit(#"{"agent":"weather","message":"Oslo"}"#, to: agentd)
        let id = try #require(try JSONValue.parse(submitted.body)["task_id"]?.stringValue)
        let record = try await TaskRoutesTests.waitUntilFinished(id, on: agentd)
        #expect(record?["result"]?.stringValue == #"tool said: {"temperature":21,"sky":"clear"}"#, "\(String(describing: record))")
        #expect(record?["steps"]?[0]?["name"] == "get_weather" && record?["steps"]?[0]?["ok"] == true, "the record carries the steps")
    }

    /// Follows a task of an agent whose tool takes 3 s, from `follower` (joining while the tool runs): the
    /// stream has the tool's result as a `tool_result` event, then the final record with its steps.
    static func followToolTask(submitTo submitter: AgentdProcess, follower: AgentdProcess, tools: WebhookReceiver) async throws {
        let submitted = try TaskRoutesTests.submit(#"{"agent":"slow","message":"Oslo"}"#, port: submitter.port)
        let id = try #require(try JSONValue.parse(submitted.body)["task_id"]?.stringValue, "\(submitted.bodyText)")
        #expect(await waitUntil(.seconds(5)) { !tools.requests.isEmpty }, "the tool is called (and takes 3 s)")
        let response = try HTTPTestClient.send("GET", "/tasks/\(id)/events", port: follower.port, timeoutMs: 10_000)
        let stream = String(decoding: ChatRoutesTests.dechunk(response.body), as: UTF8.self)
        let names = stream.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
        #expect(names.first == "status" && names.contains("tool_result") && names.last == "status", "\(stream)")
        #expect(stream.contains(#""type":"tool_result""#) && stream.contains(#""name":"lookup""#), "\(stream)")
        #expect(stream.contains(#""status":"completed""#) && stream.contains(#""steps":[{"#), "\(stream)")
    }

    static func slowAgent(_ port: Int) -> String {
        #"{"slow": {"model": "mock:tool", "tools": [\#(tool("lookup", path: "/slow", port: port, extra: #","timeout_ms":10000"#))]}}"#
    }

    @Test func taskEventsCarryTheToolStepsAsTheyHappen() async throws {
        let tools = try Self.toolServer()
        defer { tools.stop() }
        let (agentd, file) = try await Self.agentd(Self.slowAgent(tools.port))
        defer { agentd.kill(); try? FileManager.default.removeItem(at: file) }
        #expect(try await TaskRoutesTests.waitUntilReady(agentd))
        try await Self.followToolTask(submitTo: agentd, follower: agentd, tools: tools)
    }

    @Test("a bad tool in the agents file stops agentd with status 2 naming the agent, the field and the problem", arguments: [
        (#"{"a": {"tools": [{"type":"http","name":"t","url":"http://x/","parameters":{"type":"string"}}]}}"#, "must be an object schema"),
        (#"{"a": {"tools": [{"type":"http","name":"t","url":"http://x/"},{"type":"http","name":"t","url":"http://y/"}]}}"#, "used twice"),
        (#"{"a": {"tools": [{"type":"http","name":"t","url":"http://x/","headers":{"Authorization":"${AGENTD_TEST_UNSET_VARIABLE}"}}]}}"#, "AGENTD_TEST_UNSET_VARIABLE is not set"),
        (#"{"a": {"tools": [{"type":"ftp","name":"t","url":"http://x/"}]}}"#, "type must be"),
        (#"{"a": {"max_steps": 0}}"#, "max_steps"),
        (#"{"a": {"keys": []}}"#, "keys"),
    ])
    func badToolsStopAgentd(agents: String, problem: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try agents.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let finished = try await AgentdProcess.run([], environment: ["AGENTD_AGENTS_FILE": file.path, "AGENTD_PORT": "0"], timeout: .seconds(10))
        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.contains("agent \"a\"") && finished.standardError.contains(problem), "\(finished.standardError)")
    }
}
