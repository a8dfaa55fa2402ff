import MockLLMSupport
import Foundation
import Testing

/// The Chat Completions wire format: bodies, usage, stream chunk sequence, models list.
@Suite struct OpenAIFormatTests {
    @Test func nonStreamAnswerEchoesTheLastUserMessageWithUsage() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.json([
            "model": "gpt-4o-mini",
            "messages": [
                ["role": "system", "content": "be nice"],
                ["role": "user", "content": "first question"],
                ["role": "assistant", "content": "an answer"],
                ["role": "user", "content": "hello there world"],
            ],
        ])
        let response = try mock.request("POST", "/v1/chat/completions", body: body)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let object = try response.json()
        #expect((object["id"] as? String)?.hasPrefix("chatcmpl-mock-") == true)
        #expect(object["object"] as? String == "chat.completion")
        #expect(object["model"] as? String == "gpt-4o-mini")
        let created = try #require(object["created"] as? Int)
        #expect(abs(created - Int(Date().timeIntervalSince1970)) < 60)
        #expect(value(object, "choices", 0, "index") as? Int == 0)
        #expect(value(object, "choices", 0, "message", "role") as? String == "assistant")
        #expect(value(object, "choices", 0, "message", "content") as? String == "echo: hello there world")
        #expect(value(object, "choices", 0, "finish_reason") as? String == "stop")
        // 7 + 14 + 9 + 17 characters = 47 → ceil(47 / 4) = 12; "echo: hello there world" is 4 words.
        #expect(value(object, "usage", "prompt_tokens") as? Int == 12)
        #expect(value(object, "usage", "completion_tokens") as? Int == 4)
        #expect(value(object, "usage", "total_tokens") as? Int == 16)
    }

    @Test func maxTokensCutsTheAnswerInWordsWithFinishReasonLength() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let legacy = try mock.request("POST", "/v1/chat/completions", body: Body.openAI(extra: ["max_tokens": 2])).json()
        #expect(value(legacy, "choices", 0, "message", "content") as? String == "echo: hello")
        #expect(value(legacy, "choices", 0, "finish_reason") as? String == "length")
        #expect(value(legacy, "usage", "completion_tokens") as? Int == 2)
        // max_completion_tokens is read first.
        let both = try mock.request(
            "POST", "/v1/chat/completions", body: Body.openAI(extra: ["max_tokens": 2, "max_completion_tokens": 3])
        ).json()
        #expect(value(both, "choices", 0, "message", "content") as? String == "echo: hello there")
        // Exactly enough is no truncation.
        let exact = try mock.request("POST", "/v1/chat/completions", body: Body.openAI(extra: ["max_tokens": 4])).json()
        #expect(value(exact, "choices", 0, "finish_reason") as? String == "stop")
    }

    @Test func contentAsAnArrayOfTextPartsAndIdsIncrease() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.json([
            "model": "gpt-4o",
            "messages": [["role": "user", "content": [["type": "text", "text": "part one"], ["type": "text", "text": "part two"]]]],
        ])
        let first = try mock.request("POST", "/v1/chat/completions", body: body).json()
        let second = try mock.request("POST", "/v1/chat/completions", body: body).json()
        #expect(value(first, "choices", 0, "message", "content") as? String == "echo: part one part two")
        #expect(first["id"] as? String != second["id"] as? String)
    }

    @Test func streamSendsRoleThenChunksThenFinishThenUsageThenDone() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let body = Body.openAI(
            model: "gpt-4o-mini?chunks=3", text: "one two three four five",
            extra: ["stream": true, "stream_options": ["include_usage": true]]
        )
        let response = try mock.request("POST", "/v1/chat/completions", body: body)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/event-stream")
        #expect(response.header("Cache-Control") == "no-cache")
        let events = SSEEvent.parse(response.text)
        try #require(events.count == 7, "role, 3 deltas, finish, usage, [DONE]: \(response.text)")
        #expect(events.last?.data == "[DONE]")
        let chunks = try events.dropLast().map { try $0.json() }
        for chunk in chunks {
            #expect(chunk["object"] as? String == "chat.completion.chunk")
            #expect(chunk["model"] as? String == "gpt-4o-mini?chunks=3")
            #expect(chunk["id"] as? String == chunks[0]["id"] as? String)
        }
        #expect(value(chunks[0], "choices", 0, "delta", "role") as? String == "assistant")
        #expect(value(chunks[0], "choices", 0, "delta", "content") as? String == "")
        let deltas = chunks[1...3].map { value($0, "choices", 0, "delta", "content") as? String ?? "<none>" }
        #expect(deltas == ["echo: one", " two three", " four five"])
        #expect(chunks[1...3].allSatisfy { value($0, "choices", 0, "finish_reason") is NSNull })
        #expect(value(chunks[4], "choices", 0, "finish_reason") as? String == "stop")
        #expect((chunks[5]["choices"] as? [Any])?.isEmpty == true)
        #expect(value(chunks[5], "usage", "completion_tokens") as? Int == 6)
        #expect(value(chunks[5], "usage", "prompt_tokens") as? Int == 6)
        #expect(chunks[0...4].allSatisfy { $0["usage"] is NSNull }, "usage is null on every chunk but the last")
    }

    @Test func streamWithoutIncludeUsageHasNoUsageChunk() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let response = try mock.request(
            "POST", "/v1/chat/completions", body: Body.openAI(text: "a b c d e f g", extra: ["stream": true, "max_tokens": 4]))
        let events = SSEEvent.parse(response.text)
        #expect(events.last?.data == "[DONE]")
        let chunks = try events.dropLast().map { try $0.json() }
        #expect(chunks.allSatisfy { $0["usage"] == nil })
        // Five chunks by default, but a four-word answer has only four words to cut.
        let text = chunks.compactMap { value($0, "choices", 0, "delta", "content") as? String }.joined()
        #expect(text == "echo: a b c")
        #expect(chunks.count == 1 + 4 + 1)
        #expect(value(chunks.last, "choices", 0, "finish_reason") as? String == "length")
    }

    @Test func modelsHealthAndUnknownRoutes() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let models = try mock.request("GET", "/v1/models").json()
        #expect(models["object"] as? String == "list")
        let data = try #require(models["data"] as? [[String: Any]])
        #expect(data.contains { $0["id"] as? String == "gpt-4o-mini" && $0["object"] as? String == "model" })
        let anthropicModels = try mock.request("GET", "/v1/models", headers: Body.anthropicHeaders).json()
        #expect(value(anthropicModels, "data", 0, "type") as? String == "model")
        #expect(anthropicModels["has_more"] as? Bool == false)
        let health = try mock.request("GET", "/health")
        #expect(health.status == 200)
        #expect(health.text == "{\"ok\":true}")
        #expect(try mock.request("GET", "/nowhere").status == 404)
        #expect(try mock.request("GET", "/v1/chat/completions").status == 405)
    }

    @Test func badRequestsAnswer400InOpenAIFormat() async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        for body in ["{not json", "{\"model\":\"gpt-4o-mini\"}", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                     Body.openAI(extra: ["max_tokens": 0])] {
            let response = try mock.request("POST", "/v1/chat/completions", body: body)
            #expect(response.status == 400, "\(body)")
            #expect(value(try response.json(), "error", "type") as? String == "invalid_request_error")
        }
        let unknownFault = try mock.request("POST", "/v1/chat/completions", body: Body.openAI(model: "gpt-4o-mini?fault=boom"))
        #expect(unknownFault.status == 400)
        #expect((value(try unknownFault.json(), "error", "message") as? String)?.contains("boom") == true)
    }
}
