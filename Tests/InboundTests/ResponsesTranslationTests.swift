import Inbound
import JSON
import LLM
import Testing

/// The Responses API inbound: items in → internal messages; answers → the response object and the typed events.
@Suite("Responses translation")
struct ResponsesTranslationTests {
    static func decode(_ json: String) throws(InboundError) -> ResponsesRequest {
        let object = (try? JSONValue.parse(Array(json.utf8)))?.objectValue ?? JSONObject()
        return try ResponsesRequest(JSONFields(object), maxTokensLimit: 4096, requestID: "r", traceparent: nil)
    }

    @Test("items become messages: calls join their assistant turn, outputs are tool messages, developer is system")
    func items() throws {
        let decoded = try Self.decode(#"""
        {"model":"oai:m","instructions":"be brief","store":false,"max_output_tokens":64,"previous_response_id":"resp_1",
         "tools":[{"type":"function","name":"weather","parameters":{"type":"object"},"strict":true}],
         "tool_choice":{"type":"function","name":"weather"},
         "input":[
          {"role":"developer","content":"rules"},
          {"type":"message","role":"user","content":[{"type":"input_text","text":"look"},{"type":"input_image","image_url":"https://x/i.png"}]},
          {"type":"message","role":"assistant","content":[{"type":"output_text","text":"calling"}]},
          {"type":"function_call","call_id":"c1","name":"weather","arguments":"{\"q\":1}"},
          {"type":"function_call","call_id":"c2","name":"weather","arguments":"{}"},
          {"type":"function_call_output","call_id":"c1","output":"sunny"},
          {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"rain"}]}
         ]}
        """#)
        #expect(decoded.instructions == "be brief" && !decoded.store && decoded.previousResponseID == "resp_1")
        #expect(decoded.input == [
            .system("rules"),
            ChatMessage(role: .user, content: .parts([["type": "text", "text": "look"], ["type": "image_url", "image_url": ["url": "https://x/i.png"]]])),
            ChatMessage(role: .assistant, content: .text("calling"), toolCalls: [
                ToolCall(id: "c1", name: "weather", arguments: #"{"q":1}"#), ToolCall(id: "c2", name: "weather", arguments: "{}"),
            ]),
            ChatMessage(role: .tool, content: .text("sunny"), toolCallID: "c1"),
            ChatMessage(role: .tool, content: .text("rain"), toolCallID: "c2"),
        ])
        #expect(decoded.request.tools == [["type": "function", "function": ["name": "weather", "parameters": ["type": "object"], "strict": true]]])
        #expect(decoded.request.toolChoice == ["type": "function", "function": ["name": "weather"]])
        #expect(decoded.request.maxTokens == 64)
        #expect(try Self.decode(#"{"input":"hi"}"#).input == [.user("hi")])
    }

    @Test("what agentd cannot do is a 400 naming it", arguments: [
        (#"{}"#, "input"),
        (#"{"input":[]}"#, "input"),
        (#"{"input":"hi","tools":[{"type":"file_search"}]}"#, "tools[0].type"),
        (#"{"input":"hi","tool_choice":{"type":"web_search_preview"}}"#, "tool_choice"),
        (#"{"input":"hi","tool_choice":{"type":"function","name":"absent"}}"#, "tool_choice"),
        (#"{"input":"hi","background":true}"#, "background"),
        (#"{"input":"hi","reasoning":{"effort":"high"}}"#, "reasoning"),
        (#"{"input":"hi","text":{"format":{"type":"xml"}}}"#, "text.format"),
        (#"{"input":"hi","text":{"format":{"type":"json_schema","name":"a"}}}"#, "text.format"),
        (#"{"input":[{"type":"item_reference","id":"x"}]}"#, "input[0].type"),
        (#"{"input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}"#, "input[0].content[0].type"),
        (#"{"input":[{"type":"function_call_output"}]}"#, "input[0]"),
        (#"{"input":"hi","max_output_tokens":9999}"#, "max_output_tokens"),
        (#"{"input":"hi","previous_response_id":""}"#, "previous_response_id"),
        (#"{"input":"hi","conversation":"conv_1"}"#, "conversation"),
        (#"{"input":"hi","prompt":{"id":"pmpt_1"}}"#, "prompt"),
    ])
    func refusals(body: String, param: String) {
        do {
            _ = try Self.decode(body)
            Issue.record("\(body) was accepted")
        } catch {
            #expect(error.status == 400 && error.param == param, "\(error)")
        }
    }

    static let format = ResponsesFormat(id: "resp_abc", createdAt: 1, model: "oai:m", previousResponseID: nil, store: true, echo: JSONObject())

    @Test("the streamed events are typed, numbered, and end with the same object as the whole answer")
    func streamMatchesWholeAnswer() throws {
        let events: [ChatStreamEvent] = [
            .text("Hi"), .toolCallStart(index: 0, id: "c1", name: "weather"), .toolCallArguments(index: 0, fragment: "{}"),
        ]
        let summary = StreamSummary(finishReason: .toolCalls, usage: ChatUsage(inputTokens: 3, outputTokens: 2))
        var encoder = Self.format.makeStreamEncoder()
        var answer = StreamedAnswer()
        var bytes: [UInt8] = []
        for event in events {
            answer.add(event)
            bytes += encoder.encode(event)
        }
        let whole = answer.completion(summary)
        bytes += encoder.end(summary)
        let blocks = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        var parsed: [JSONValue] = []
        for block in blocks {
            let lines = block.split(separator: "\n")
            let data = try JSONValue.parse(Array(lines[1].dropFirst(6).utf8))
            #expect(lines[0] == "event: " + (data["type"]?.stringValue ?? ""))
            parsed.append(data)
        }
        #expect(parsed.map { $0["type"]?.stringValue ?? "" } == [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done",
            "response.output_item.done", "response.completed",
        ])
        #expect(parsed.map { $0["sequence_number"]?.intValue ?? -1 } == Array(0..<parsed.count))
        let streamed = try #require(parsed.last?["response"])
        let direct = try JSONValue.parse(Self.format.completion(whole))
        #expect(streamed == direct)
        #expect(direct["output"]?[0]?["id"] == "msg_abc" && direct["output"]?[1]?["id"] == "fc_abc_0")
        #expect(direct["output"]?[1]?["call_id"] == "c1" && direct["usage"]?["total_tokens"] == 5)
    }

    @Test("a length stop is an incomplete response naming max_output_tokens; a failure is error then response.failed")
    func incompleteAndFailure() throws {
        let cut = try JSONValue.parse(Self.format.completion(ChatCompletion(text: "a b", finishReason: .length)))
        #expect(cut["status"] == "incomplete" && cut["incomplete_details"] == ["reason": "max_output_tokens"])
        var encoder = Self.format.makeStreamEncoder()
        _ = encoder.encode(.text("a"))
        let failure = String(decoding: encoder.failure(InboundError(status: 502, type: "upstream_error", message: "boom")), as: UTF8.self)
        #expect(failure.hasPrefix("event: error\ndata: {\"type\":\"error\",\"sequence_number\":5,\"code\":\"upstream_error\",\"message\":\"boom\",\"param\":null}\n\n"))
        #expect(failure.contains("event: response.failed\ndata: {\"type\":\"response.failed\",\"sequence_number\":6,"))
    }
}
