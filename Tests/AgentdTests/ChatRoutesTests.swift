import Foundation
import JSON
import Testing

/// `/chat`, `/chat/stream`, `/agents` on a live agentd with the built-in mock provider.
@Suite("agentd's chat routes")
struct ChatRoutesTests {
    static func post(_ path: String, _ json: String, port: Int, headers: [(String, String)] = [("Content-Type", "application/json")])
        throws -> HTTPTestResponse {
        try HTTPTestClient.send("POST", path, port: port, headers: headers, body: Array(json.utf8), timeoutMs: 5000)
    }

    /// The `data:` payloads of an SSE body sent with chunked coding.
    static func events(_ response: HTTPTestResponse) throws -> [JSONValue] {
        let text = String(decoding: dechunk(response.body), as: UTF8.self)
        return try text.components(separatedBy: "\n\n").compactMap { block -> JSONValue? in
            guard block.hasPrefix("data: ") else { return nil }
            let data = String(block.dropFirst(6))
            return data == "[DONE]" ? .string("[DONE]") : try JSONValue.parse(data)
        }
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstRange(of: [13, 10]) {
            let size = Int(String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            out += bytes[lineEnd.upperBound..<(lineEnd.upperBound + size)]
            index = lineEnd.upperBound + size + 2
        }
        return out
    }

    @Test("a turn answers with the contract's fields, and conversation_id continues the conversation", arguments: Level.allCases)
    func turnAndConversation(_ level: Level) async throws {
        let server = try await AgentdUnderTest.start(level)
        defer { server.stop() }
        let first = try JSONValue.parse(server.post("/chat", #"{"message":"hello agent"}"#).body)
        #expect(first["response"] == "echo: hello agent")
        #expect(first["model"] == "mock:echo")
        #expect(first["cached"] == false)
        #expect(first["tokens_used"]?.intValue == (first["usage"]?["input_tokens"]?.intValue ?? 0) + (first["usage"]?["output_tokens"]?.intValue ?? 0))
        #expect(first["processing_time_ms"]?.doubleValue != nil)
        let conversation = try #require(first["conversation_id"]?.stringValue)
        let second = try JSONValue.parse(server.post("/chat", #"{"message":"again","conversation_id":"\#(conversation)"}"#).body)
        #expect(second["conversation_id"]?.stringValue == conversation)
        // The history went with the second turn: more input tokens than the message alone.
        #expect((second["usage"]?["input_tokens"]?.intValue ?? 0) > (first["usage"]?["input_tokens"]?.intValue ?? 0))
        let unknown = try JSONValue.parse(server.post("/chat", #"{"message":"x","conversation_id":"conv_gone"}"#).body)
        #expect(unknown["conversation_id"]?.stringValue != "conv_gone")
    }

    @Test("stream: true answers Server-Sent Events, text pieces then done", arguments: Level.allCases)
    func streamedTurn(_ level: Level) async throws {
        let server = try await AgentdUnderTest.start(level)
        defer { server.stop() }
        for (path, body) in [("/chat", #"{"message":"one two three","stream":true}"#), ("/chat/stream", #"{"message":"one two three"}"#)] {
            let response = try server.post(path, body)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/event-stream")
            #expect(response.header("Cache-Control") == "no-cache")
            #expect(response.header("X-Accel-Buffering") == "no")
            let events = try Self.events(response)
            let text = events.filter { $0["type"] == "text" }.compactMap { $0["content"]?.stringValue }.joined()
            #expect(text == "echo: one two three")
            #expect(events.filter { $0["type"] == "text" }.count == 4)
            let done = try #require(events.last)
            #expect(done["type"] == "done")
            #expect(done["model"] == "mock:echo")
            #expect(done["conversation_id"]?.stringValue?.hasPrefix("conv_") == true)
            #expect(done["usage"]?["output_tokens"] == 4)
        }
    }

    static let invalid: [(body: String, field: String)] = [
        (#"{}"#, "message"),
        (#"{"message":""}"#, "message"),
        (#"{"message":12}"#, "message"),
        (#"{"message":"0123456789x"}"#, "message"),
        (#"{"message":"x","temperature":"hot"}"#, "temperature"),
        (#"{"message":"x","temperature":2.5}"#, "temperature"),
        (#"{"message":"x","max_tokens":0}"#, "max_tokens"),
        (#"{"message":"x","max_tokens":100000}"#, "max_tokens"),
        (#"{"message":"x","stream":"yes"}"#, "stream"),
        (#"{"message":"x","agent":"nobody"}"#, "agent"),
        (#"{"message":"x","model":"nowhere:m"}"#, "provider"),
        (#"[1,2]"#, "object"),
        (#"{"message":"x""#, "JSON"),
    ]

    @Test("each bad body is a 400 naming the field", arguments: Level.allCases)
    func invalidBodies(_ level: Level) async throws {
        let server = try await AgentdUnderTest.start(level, ["AGENTD_MAX_MESSAGE_CHARS": "10"])
        defer { server.stop() }
        for (body, field) in Self.invalid {
            let response = try server.post("/chat", body)
            #expect(response.status == 400, "\(body)")
            let json = try JSONValue.parse(response.body)
            #expect(json["error"]?["type"] == "invalid_request", "\(body)")
            #expect(json["error"]?["message"]?.stringValue?.contains(field) == true, "\(json)")
            #expect(json["request_id"]?.stringValue == response.header("X-Request-ID"))
        }
    }

    @Test("a body that is not JSON is 415", arguments: Level.allCases)
    func notJSON(_ level: Level) async throws {
        let server = try await AgentdUnderTest.start(level)
        defer { server.stop() }
        let response = try server.post("/chat", "message=hi", headers: [("Content-Type", "application/x-www-form-urlencoded")])
        #expect(response.status == 415)
        #expect(try JSONValue.parse(response.body)["error"]?["type"] == "unsupported_media_type")
    }

    @Test("agent profiles from AGENTD_AGENTS_FILE are listed and applied")
    func agentProfiles() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try #"{"support": {"model": "mock:echo", "system_prompt": "You are a patient support agent for ACME.", "max_tokens": 2}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let server = try await AgentdProcess.serve(["AGENTD_AGENTS_FILE": file.path])
        defer { server.kill() }
        let agents = try JSONValue.parse(HTTPTestClient.send("GET", "/agents", port: server.port).body)
        #expect(agents["data"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["default", "support"])
        let plain = try JSONValue.parse(Self.post("/chat", #"{"message":"a b c d"}"#, port: server.port).body)
        let support = try JSONValue.parse(Self.post("/chat", #"{"message":"a b c d","agent":"support"}"#, port: server.port).body)
        // The profile's max_tokens (2 words) and system prompt (more input) applied.
        #expect(support["response"] == "echo: a")
        #expect((support["usage"]?["input_tokens"]?.intValue ?? 0) > (plain["usage"]?["input_tokens"]?.intValue ?? 0))
        // A request's own field overrides the profile's.
        let overridden = try JSONValue.parse(Self.post("/chat", #"{"message":"a b c d","agent":"support","max_tokens":10}"#, port: server.port).body)
        #expect(overridden["response"] == "echo: a b c d")
    }

    @Test("a bad agents file stops agentd with status 2 and one line naming it")
    func badAgentsFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).json")
        try #"{"support": {"temprature": 0.3}}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let finished = try await AgentdProcess.run([], environment: ["AGENTD_AGENTS_FILE": file.path, "AGENTD_PORT": "0"], timeout: .seconds(10))
        #expect(finished.exit == .exited(2))
        #expect(finished.standardError.contains("AGENTD_AGENTS_FILE"))
        #expect(finished.standardError.contains("temprature"))
    }
}
