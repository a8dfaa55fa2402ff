import Testing
@testable import agentd

/// The probes, the root document, request ids and routing errors, over a real socket to a real agentd.
/// Each test starts its own agentd on its own port, so tests run in parallel.
@Suite("agentd serves its routes")
struct ServingTests {
    @Test("GET /health/live answers 200 {\"alive\":true} as JSON, with a request id")
    func live() async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }

        let response = try HTTPTestClient.send("GET", "/health/live", port: server.port)

        #expect(response.status == 200)
        #expect(response.bodyText == #"{"alive":true}"#)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Content-Length") == String(response.body.count))
        let id = try #require(response.header("X-Request-ID"))
        #expect(isSane(id), "generated id: \(id)")
        #expect(response.values("X-Request-ID").count == 1)
    }

    @Test("GET /health/ready answers 200 {\"ready\":true} once serving")
    func ready() async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }

        let response = try HTTPTestClient.send("GET", "/health/ready", port: server.port)

        #expect(response.status == 200)
        #expect(response.bodyText == #"{"ready":true}"#)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("X-Request-ID") != nil)
    }

    @Test("GET / names agentd and its version", arguments: Level.allCases)
    func root(_ level: Level) async throws {
        let server = try await AgentdUnderTest.start(level)
        defer { server.stop() }

        let response = try server.send("GET", "/")

        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let body = try #require(response.jsonObject, "JSON object: \(response.bodyText)")
        #expect(body["name"] as? String == "agentd")
        #expect(body["version"] as? String == AgentdVersion.current)
        let links = body["links"] as? [String: Any]
        #expect(links?["live"] as? String == "/health/live")
        #expect(links?["ready"] as? String == "/health/ready")
    }

    @Test("a sane client X-Request-ID is echoed back", arguments: [
        "req-42", "0f8fad5b-d9cb-469f-a165-70867728950e", "a.b:c/d~!", String(repeating: "r", count: 128),
    ])
    func saneRequestIDIsEchoed(_ id: String) async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }

        let response = try HTTPTestClient.send("GET", "/health/live", port: server.port, headers: [("X-Request-ID", id)])

        #expect(response.status == 200)
        #expect(response.values("X-Request-ID") == [id])
    }

    @Test("an insane client X-Request-ID is replaced by a generated one", arguments: [
        String(repeating: "a", count: 200), String(repeating: "b", count: 129), "has space", "tab\there", "caf\u{E9}",
    ])
    func insaneRequestIDIsReplaced(_ id: String) async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }

        let response = try HTTPTestClient.send("GET", "/health/live", port: server.port, headers: [("X-Request-ID", id)])

        #expect(response.status == 200)
        let answered = try #require(response.header("X-Request-ID"))
        #expect(answered != id)
        #expect(isSane(answered), "generated id: \(answered.debugDescription)")
        #expect(response.values("X-Request-ID").count == 1)
    }

    @Test("generated request ids differ from request to request")
    func generatedRequestIDsAreUnique() async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }

        var ids = Set<String>()
        for _ in 0..<20 {
            let response = try HTTPTestClient.send("GET", "/health/live", port: server.port)
            ids.insert(try #require(response.header("X-Request-ID")))
        }

        #expect(ids.count == 20)
    }

    @Test("an unknown path answers 404 with the contract's error body and the request id", arguments: Level.allCases)
    func unknownPath(_ level: Level) async throws {
        let server = try await AgentdUnderTest.start(level)
        defer { server.stop() }

        let response = try server.send("GET", "/no/such/route")
        let chosen = try server.send("GET", "/nope", headers: [("X-Request-ID", "mine-404")])

        #expect(response.status == 404)
        #expect(response.header("Content-Type") == "application/json")
        let body = try #require(response.jsonObject, "JSON object: \(response.bodyText)")
        #expect(Set(body.keys) == ["error", "request_id"])
        let error = try #require(body["error"] as? [String: Any])
        #expect(error["type"] as? String == "not_found")
        #expect((error["message"] as? String)?.isEmpty == false)
        let id = try #require(response.header("X-Request-ID"))
        #expect(body["request_id"] as? String == id)

        #expect(chosen.status == 404)
        #expect(chosen.header("X-Request-ID") == "mine-404")
        #expect(chosen.jsonObject?["request_id"] as? String == "mine-404")
    }

    @Test("POST /health/live answers 405 with Allow: GET, HEAD and the error body", arguments: Level.allCases)
    func wrongMethod(_ level: Level) async throws {
        let server = try await AgentdUnderTest.start(level)
        defer { server.stop() }

        let response = try server.send("POST", "/health/live", body: Array("{}".utf8))

        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, HEAD")
        let body = try #require(response.jsonObject, "JSON object: \(response.bodyText)")
        let error = body["error"] as? [String: Any]
        #expect(error?["type"] as? String == "method_not_allowed")
        #expect((error?["message"] as? String)?.isEmpty == false)
        #expect(body["request_id"] as? String == response.header("X-Request-ID"))
    }

    @Test("HEAD /health/live answers the GET headers without a body")
    func headHasNoBody() async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }

        let response = try HTTPTestClient.send("HEAD", "/health/live", port: server.port)

        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Content-Length") == String(#"{"alive":true}"#.utf8.count))
        #expect(response.body.isEmpty)
    }

    /// The test of docs/api.md, Request ids, for a request id worth keeping: 1...128 visible ASCII characters.
    private func isSane(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }
}
