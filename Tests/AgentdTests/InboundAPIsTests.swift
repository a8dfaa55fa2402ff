import Foundation
import JSON
import MockLLMSupport
import Testing

/// The inbound APIs beside Chat Completions (docs/api.md, Anthropic Messages, POST /v1/responses and
/// POST /v1/embeddings): Anthropic Messages, OpenAI Responses and Embeddings, each through a live agentd to mock-llm as
/// an OpenAI-kind (`oai`) and an Anthropic-kind (`ant`) upstream; their errors and limits.
@Suite("Anthropic Messages, Responses and Embeddings inbound", .serialized)
struct InboundAPIsTests {
    static func start(_ level: Level, _ extra: [String: String] = [:]) async throws -> (MockLLMProcess, AgentdUnderTest) {
        let mock = try await MockLLMProcess.start()
        let environment = [
            "AGENTD_PROVIDER_OAI_BASE_URL": "http://127.0.0.1:\(mock.port)/v1",
            "AGENTD_PROVIDER_ANT_BASE_URL": "http://127.0.0.1:\(mock.port)", "AGENTD_PROVIDER_ANT_KIND": "anthropic",
            "AGENTD_RATE_LIMIT_RPS": "0",
        ].merging(extra) { $1 }
        do {
            return (mock, try await AgentdUnderTest.start(level, environment))
        } catch {
            mock.kill()
            throw error
        }
    }

    static func post(_ path: String, _ json: String, port: Int, headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try ChatRoutesTests.post(path, json, port: port, headers: [("Content-Type", "application/json")] + headers)
    }

    static func post(_ path: String, _ json: String, to agentd: AgentdUnderTest, headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try agentd.post(path, json, headers: [("Content-Type", "application/json")] + headers)
    }

    /// The events of an SSE body: (name, data) pairs in order.
    static func events(_ response: HTTPTestResponse) -> [(name: String, data: JSONValue)] {
        let text = String(decoding: ChatRoutesTests.dechunk(response.body), as: UTF8.self)
        var events: [(String, JSONValue)] = []
        for block in text.components(separatedBy: "\n\n") {
            var name = "", data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            if !data.isEmpty, let value = try? JSONValue.parse(Array(data.utf8)) { events.append((name, value)) }
        }
        return events
    }

    static let weatherTool = #"{"name":"weather","description":"the weather","input_schema":{"type":"object","properties":{"query":{"type":"string"}}}}"#

    @Test("/v1/messages answers in Anthropic's message format on either upstream kind", arguments: Level.allCases, ["ant", "oai"])
    func messagesWhole(level: Level, provider: String) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        let response = try Self.post("/v1/messages", #"{"model":"\#(provider):m","max_tokens":50,"system":[{"type":"text","text":"be brief"}],"messages":[{"role":"user","content":"hello there"}]}"#, to: agentd)
        #expect(response.status == 200)
        let body = try JSONValue.parse(response.body)
        #expect(body["type"] == "message" && body["role"] == "assistant" && body["model"]?.stringValue == "\(provider):m")
        #expect(body["content"] == [["type": "text", "text": "echo: hello there"]])
        #expect(body["stop_reason"] == "end_turn" && body["stop_sequence"] == .null)
        #expect((body["usage"]?["input_tokens"]?.intValue ?? 0) > 0 && body["usage"]?["output_tokens"] == 3)
        #expect(body["id"]?.stringValue?.hasPrefix("msg_") == true)
    }

    @Test("a streamed tool call is Anthropic's exact event sequence, its arguments in input_json_delta", arguments: Level.allCases, ["ant", "oai"])
    func messagesStreamedToolCall(level: Level, provider: String) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        let response = try Self.post("/v1/messages", #"{"model":"\#(provider):m-tool","max_tokens":50,"stream":true,"tools":[\#(Self.weatherTool)],"messages":[{"role":"user","content":"paris"}]}"#, to: agentd)
        #expect(response.status == 200 && response.header("Content-Type") == "text/event-stream")
        let events = Self.events(response)
        let names = events.map(\.name)
        let deltas = names.filter { $0 == "content_block_delta" }.count
        #expect(names == ["message_start", "ping", "content_block_start"] + Array(repeating: "content_block_delta", count: deltas)
            + ["content_block_stop", "message_delta", "message_stop"])
        #expect(zip(events.map(\.name), events.map { $0.data["type"]?.stringValue ?? "" }).allSatisfy { $0 == $1 })
        #expect(events[2].data["content_block"]?["type"] == "tool_use" && events[2].data["content_block"]?["name"] == "weather")
        let json = events.filter { $0.name == "content_block_delta" }.compactMap { $0.data["delta"]?["partial_json"]?.stringValue }.joined()
        #expect(try JSONValue.parse(Array(json.utf8)) == ["query": "paris"])
        #expect(events.last { $0.name == "message_delta" }?.data["delta"]?["stop_reason"] == "tool_use")
    }

    @Test("a tool_result sent back reaches the model as the tool's answer, on either upstream kind", arguments: Level.allCases, ["ant", "oai"])
    func messagesToolResultRoundTrip(level: Level, provider: String) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        let body = #"{"model":"\#(provider):m-tool","max_tokens":50,"tools":[\#(Self.weatherTool)],"messages":["#
            + #"{"role":"user","content":"paris"},"#
            + #"{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"weather","input":{"query":"paris"}}]},"#
            + #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"}]}]}]}"#
        let response = try Self.post("/v1/messages", body, to: agentd)
        #expect(response.status == 200)
        let answer = try JSONValue.parse(response.body)
        #expect(answer["stop_reason"] == "end_turn")
        #expect(answer["content"]?[0]?["text"]?.stringValue?.contains("sunny") == true, "\(answer)")
    }

    @Test("/v1/messages errors are Anthropic's body with Anthropic's types", arguments: Level.allCases)
    func messagesErrors(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level, ["AGENTD_API_KEYS": "k1"])
        defer { agentd.stop(); mock.kill() }
        let key = [("x-api-key", "k1")]
        let cases: [(body: String, headers: [(String, String)], status: Int, type: String, mentions: String)] = [
            (#"{"model":"ant:m","messages":[{"role":"user","content":"hi"}]}"#, key, 400, "invalid_request_error", "max_tokens"),
            (#"{"model":"nope:m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#, key, 400, "invalid_request_error", "nope"),
            (#"{"model":"ant:m","max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"hi"}]}"#, key, 400, "invalid_request_error", "web_search_20250305"),
            (#"{"model":"ant:m","max_tokens":5,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"hi"}]}"#, key, 400, "invalid_request_error", "thinking"),
            (#"{"model":"ant:m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"video"}]}]}"#, key, 400, "invalid_request_error", "video"),
            (#"{"model":"ant:m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#, [("x-api-key", "wrong")], 401, "authentication_error", "not valid"),
            (#"{"model":"ant:m?fault=400","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#, [("Authorization", "Bearer k1")], 502, "api_error", "400"),
        ]
        for test in cases {
            let response = try Self.post("/v1/messages", test.body, to: agentd, headers: test.headers)
            let body = try JSONValue.parse(response.body)
            #expect(response.status == test.status, "\(test.body): \(response.bodyText)")
            #expect(body["type"] == "error" && body["error"]?["type"]?.stringValue == test.type, "\(response.bodyText)")
            #expect(body["error"]?["message"]?.stringValue?.contains(test.mentions) == true, "\(response.bodyText)")
        }
        let counted = try Self.post("/v1/messages/count_tokens", #"{"model":"ant:m","messages":[{"role":"user","content":"hello there"}]}"#, to: agentd, headers: key)
        let tokens = try JSONValue.parse(counted.body)["input_tokens"]?.intValue ?? 0
        #expect(counted.status == 200 && tokens > 0)
        let refused = try Self.post("/v1/messages/count_tokens", #"{"model":"oai:m","messages":[{"role":"user","content":"hello"}]}"#, to: agentd, headers: key)
        #expect(refused.status == 501 && refused.bodyText.contains("count_tokens"))
        let mockCount = try Self.post("/v1/messages/count_tokens", #"{"model":"mock:echo","messages":[{"role":"user","content":"hello there"}]}"#, to: agentd, headers: key)
        #expect(mockCount.status == 200 && mockCount.bodyText.contains("input_tokens"))
        // Types the decoders check: a tool choice's flag, a function's name.
        let badFlag = try Self.post("/v1/messages", #"{"max_tokens":5,"tool_choice":{"type":"auto","disable_parallel_tool_use":{}},"messages":[{"role":"user","content":"hi"}]}"#, to: agentd, headers: key)
        #expect(badFlag.status == 400 && badFlag.bodyText.contains("disable_parallel_tool_use"))
        let badName = try Self.post("/v1/chat/completions", #"{"messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"function","function":{"name":{}}}}"#, to: agentd, headers: key)
        #expect(badName.status == 400 && badName.bodyText.contains("tool_choice"))
    }

    @Test("/v1/messages is rate-limited like chat: the request past the burst is 429 rate_limit_error with Retry-After", arguments: Level.allCases)
    func messagesRateLimited(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level, ["AGENTD_RATE_LIMIT_RPS": "0.01", "AGENTD_RATE_LIMIT_BURST": "2"])
        defer { agentd.stop(); mock.kill() }
        let body = #"{"model":"mock:echo","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
        let statuses = try (0..<3).map { _ in try Self.post("/v1/messages", body, to: agentd) }
        #expect(statuses.map(\.status) == [200, 200, 429])
        #expect(statuses[2].header("Retry-After") != nil)
        #expect(try JSONValue.parse(statuses[2].body)["error"]?["type"] == "rate_limit_error")
    }

    @Test("/v1/responses: text, then a function call continued through previous_response_id", arguments: Level.allCases, ["ant", "oai"])
    func responsesRoundTrip(level: Level, provider: String) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        let tools = #"[{"type":"function","name":"weather","parameters":{"type":"object","properties":{"query":{"type":"string"}}}}]"#
        let plain = try JSONValue.parse(try Self.post("/v1/responses", #"{"model":"\#(provider):m","input":"hello there","instructions":"be brief"}"#, to: agentd).body)
        #expect(plain["object"] == "response" && plain["status"] == "completed")
        #expect(plain["output"]?[0]?["content"]?[0] == ["type": "output_text", "text": "echo: hello there", "annotations": []])
        let first = try JSONValue.parse(try Self.post("/v1/responses", #"{"model":"\#(provider):m-tool","input":"paris","tools":\#(tools)}"#, to: agentd).body)
        let call = try #require(first["output"]?[0])
        #expect(call["type"] == "function_call" && call["name"] == "weather")
        let callID = try #require(call["call_id"]?.stringValue), firstID = try #require(first["id"]?.stringValue)
        let second = try Self.post("/v1/responses", #"{"model":"\#(provider):m-tool","previous_response_id":"\#(firstID)","tools":\#(tools),"input":[{"type":"function_call_output","call_id":"\#(callID)","output":"sunny"}]}"#, to: agentd)
        let answer = try JSONValue.parse(second.body)
        #expect(answer["previous_response_id"]?.stringValue == firstID)
        #expect(answer["output"]?[0]?["content"]?[0]?["text"] == "tool said: sunny", "\(second.bodyText)")
    }

    @Test("a streamed response is the typed events in order, numbered from 0", arguments: Level.allCases)
    func responsesStream(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        let response = try Self.post("/v1/responses", #"{"model":"oai:m","input":"one two","stream":true}"#, to: agentd)
        let events = Self.events(response)
        let types = events.compactMap { $0.data["type"]?.stringValue }
        #expect(types == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                          "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
                          "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"])
        #expect(events.map { $0.data["sequence_number"]?.intValue ?? -1 } == Array(0..<events.count))
        #expect(events.last?.data["response"]?["output"]?[0]?["content"]?[0]?["text"] == "echo: one two")
        #expect((events.last?.data["response"]?["usage"]?["total_tokens"]?.intValue ?? 0) > 0)
    }

    @Test("what /v1/responses cannot do is a 400 naming it; a response is continued only by its key, only if stored", arguments: Level.allCases)
    func responsesRefusals(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level, ["AGENTD_API_KEYS": "k1,k2"])
        defer { agentd.stop(); mock.kill() }
        let k1 = [("Authorization", "Bearer k1")], k2 = [("Authorization", "Bearer k2")]
        let refusals: [(body: String, mentions: String)] = [
            (#"{"input":"hi","tools":[{"type":"web_search"}]}"#, "web_search"),
            (#"{"input":"hi","background":true}"#, "background"),
            (#"{"input":[{"type":"reasoning","summary":[]}]}"#, "reasoning"),
            (#"{"input":"hi","text":{"format":{"type":"json_schema"}}}"#, "json_schema"),
            (#"{"input":"hi","previous_response_id":"resp_unknown"}"#, "resp_unknown"),
        ]
        for refusal in refusals {
            let response = try Self.post("/v1/responses", refusal.body, to: agentd, headers: k1)
            #expect(response.status == 400, "\(refusal.body): \(response.bodyText)")
            #expect(try JSONValue.parse(response.body)["error"]?["message"]?.stringValue?.contains(refusal.mentions) == true, "\(response.bodyText)")
        }
        let made = try JSONValue.parse(try Self.post("/v1/responses", #"{"input":"mine"}"#, to: agentd, headers: k1).body)
        let id = try #require(made["id"]?.stringValue)
        #expect(try Self.post("/v1/responses", #"{"input":"more","previous_response_id":"\#(id)"}"#, to: agentd, headers: k1).status == 200)
        #expect(try Self.post("/v1/responses", #"{"input":"more","previous_response_id":"\#(id)"}"#, to: agentd, headers: k2).status == 400)
        let unstored = try JSONValue.parse(try Self.post("/v1/responses", #"{"input":"x","store":false}"#, to: agentd, headers: k1).body)
        #expect(unstored["store"] == false)
        let continued = try Self.post("/v1/responses", #"{"input":"more","previous_response_id":"\#(unstored["id"]?.stringValue ?? "")"}"#, to: agentd, headers: k1)
        #expect(continued.status == 400)
    }

    @Test("/v1/embeddings: OpenAI's format to an OpenAI-kind upstream, metered; 400 for an Anthropic-kind one", arguments: Level.allCases)
    func embeddings(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        let response = try Self.post("/v1/embeddings", #"{"model":"oai:text-embedding-3-small","input":["a","b"],"dimensions":4}"#, to: agentd)
        let body = try JSONValue.parse(response.body)
        #expect(response.status == 200 && body["object"] == "list" && body["data"]?.arrayValue?.count == 2)
        #expect(body["data"]?[1]?["index"] == 1 && body["data"]?[0]?["embedding"]?.arrayValue?.count == 4)
        #expect((body["usage"]?["prompt_tokens"]?.intValue ?? 0) > 0)
        let metrics = try agentd.send("GET", "/metrics").bodyText
        #expect(metrics.contains(#"agentd_llm_requests_total{provider="oai",model="other",outcome="success"} 1"#), "\(metrics)")
        let refused = try Self.post("/v1/embeddings", #"{"model":"ant:m","input":"a"}"#, to: agentd)
        #expect(refused.status == 400 && refused.bodyText.contains("Anthropic-kind"))
        for input in ["[]", #""""#, "[[-1]]", "[[2147483648]]", #"[1,"a"]"#] {
            let refused = try Self.post("/v1/embeddings", #"{"model":"oai:m","input":\#(input)}"#, to: agentd)
            #expect(refused.status == 400 && refused.bodyText.contains("input"), "\(input)")
        }
    }

    @Test("/v1/embeddings is budgeted like chat: past the daily budget it is 429 budget_exceeded", arguments: Level.allCases)
    func embeddingsBudgeted(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level, ["AGENTD_DAILY_TOKEN_BUDGET": "30", "AGENTD_MAX_TOKENS_PER_REQUEST": "4"])
        defer { agentd.stop(); mock.kill() }
        var statuses: [Int] = []
        for _ in 0..<12 {
            statuses.append(try Self.post("/v1/embeddings", #"{"model":"oai:m","input":"a few words to embed here"}"#, to: agentd).status)
        }
        #expect(statuses.first == 200)
        #expect(statuses.contains(429), "\(statuses)")
    }

    @Test("errors the server answers itself (413, 404, 405) use the body of the API the path belongs to")
    func serverErrorsInTheRoutesFormat() async throws {
        let agentd = try await AgentdProcess.serve(["AGENTD_MAX_BODY_BYTES": "1024"])
        defer { agentd.kill() }
        let big = Array(repeating: UInt8(ascii: "x"), count: 2048)
        let anthropic = try HTTPTestClient.send("POST", "/v1/messages", port: agentd.port, headers: [("Content-Type", "application/json")], body: big)
        #expect(anthropic.status == 413)
        #expect(try JSONValue.parse(anthropic.body)["error"]?["type"] == "request_too_large", "\(anthropic.bodyText)")
        let openAI = try HTTPTestClient.send("POST", "/v1/responses", port: agentd.port, headers: [("Content-Type", "application/json")], body: big)
        let openAICode = try JSONValue.parse(openAI.body)["error"]?["code"]
        #expect(openAI.status == 413 && openAICode == "payload_too_large", "\(openAI.bodyText)")
        let contract = try HTTPTestClient.send("POST", "/chat", port: agentd.port, headers: [("Content-Type", "application/json")], body: big)
        let contractID = try JSONValue.parse(contract.body)["request_id"]
        #expect(contract.status == 413 && contractID != nil)
        let wrongMethod = try HTTPTestClient.send("GET", "/v1/messages", port: agentd.port)
        #expect(wrongMethod.status == 405 && wrongMethod.header("Allow") == "POST")
        #expect(try JSONValue.parse(wrongMethod.body)["error"]?["type"] == "invalid_request_error", "\(wrongMethod.bodyText)")
        let unknown = try HTTPTestClient.send("GET", "/v1/nothing", port: agentd.port)
        let unknownParam = try JSONValue.parse(unknown.body)["error"]?["param"]
        #expect(unknown.status == 404 && unknownParam == .null, "\(unknown.bodyText)")
    }

    @Test("/v1/messages answers carry Anthropic's request-id, errors too; /v1/models answers an Anthropic SDK in its shape", arguments: Level.allCases)
    func anthropicClientDetails(_ level: Level) async throws {
        let agentd = try await AgentdUnderTest.start(level)
        defer { agentd.stop() }
        let ok = try Self.post("/v1/messages", #"{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#, to: agentd)
        let bad = try Self.post("/v1/messages", #"{"messages":[{"role":"user","content":"hi"}]}"#, to: agentd)
        for response in [ok, bad] {
            #expect(response.header("request-id") != nil && response.header("request-id") == response.header("X-Request-ID"))
        }
        let anthropic = try JSONValue.parse(try agentd.send("GET", "/v1/models", headers: [("anthropic-version", "2023-06-01")]).body)
        #expect(anthropic["data"]?[0]?["type"] == "model" && anthropic["data"]?[0]?["id"] == "mock:echo" && anthropic["has_more"] == false)
        #expect(anthropic["first_id"] == "mock:echo")
        let openAI = try JSONValue.parse(try agentd.send("GET", "/v1/models").body)
        #expect(openAI["object"] == "list" && openAI["data"]?[0]?["object"] == "model")
    }

    @Test("structured output: json_schema reaches an OpenAI-kind model through Chat Completions and Responses; Anthropic-kind refuse it", arguments: Level.allCases)
    func structuredOutput(_ level: Level) async throws {
        let (mock, agentd) = try await Self.start(level)
        defer { agentd.stop(); mock.kill() }
        let schema = #"{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":2},"sunny":{"type":"boolean"}},"required":["city","days","sunny"]}"#
        let chat = try Self.post("/v1/chat/completions", #"{"model":"mock:echo","messages":[{"role":"user","content":"paris"}],"response_format":{"type":"json_schema","json_schema":{"name":"trip","schema":\#(schema)}}}"#, to: agentd)
        let content = try #require(try JSONValue.parse(chat.body)["choices"]?[0]?["message"]?["content"]?.stringValue)
        #expect(try JSONValue.parse(Array(content.utf8)) == ["city": "paris", "days": 2, "sunny": false])
        let response = try JSONValue.parse(try Self.post("/v1/responses", #"{"model":"mock:echo","input":"rome","text":{"format":{"type":"json_schema","name":"trip","schema":\#(schema),"strict":true}}}"#, to: agentd).body)
        let text = try #require(response["output"]?[0]?["content"]?[0]?["text"]?.stringValue)
        #expect(try JSONValue.parse(Array(text.utf8))["city"] == "rome")
        #expect(response["text"]?["format"]?["name"] == "trip")
        let refused = try Self.post("/v1/responses", #"{"model":"ant:m","input":"rome","text":{"format":{"type":"json_object"}}}"#, to: agentd)
        #expect(refused.status == 400 && refused.bodyText.contains("structured output"), "\(refused.bodyText)")
        let badFormat = try Self.post("/v1/chat/completions", #"{"model":"mock:echo","messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}}"#, to: agentd)
        #expect(badFormat.status == 400 && badFormat.bodyText.contains("response_format"))
        // What OpenAI-kind upstreams are sent.
        #expect(try mock.stats()["requests_total"] as? Int == 0, "the refusal never reached the upstream")
    }
}
