#if canImport(JSON)
import JSON
#endif
#if canImport(LLM)
import LLM
#endif

/// The Responses API as an inbound format: `response` objects with their output items (a `message` with
/// `output_text`, one `function_call` per tool call), and the typed stream events, each with its
/// `sequence_number`. Pure functions of their inputs.
public struct ResponsesFormat: Sendable {
    /// `resp_…`; the output items' ids are made from it.
    public let id: String
    public let createdAt: Int
    /// `provider:model`, as answers name it.
    public let model: String
    public let previousResponseID: String?
    public let store: Bool
    /// The request's fields the response object repeats (tools, metadata, sampling…).
    public let echo: JSONObject

    public init(id: String, createdAt: Int, model: String, previousResponseID: String?, store: Bool, echo: JSONObject) {
        self.id = id
        self.createdAt = createdAt
        self.model = model
        self.previousResponseID = previousResponseID
        self.store = store
        self.echo = echo
    }

    var idSuffix: Substring { id.dropFirst(5) }

    /// The whole answer's response object, written straight to bytes (this runs once per request; `object`, which
    /// the stream's events embed, gives the same JSON).
    public func completion(_ completion: ChatCompletion) -> [UInt8] {
        var json = JSONWriter(capacity: 1024 + completion.text.utf8.count)
        let status = ResponsesFormat.status(completion.finishReason)
        json.beginObject()
        json.key("id")
        json.string(id)
        json.key("object")
        json.string("response")
        json.key("created_at")
        json.integer(createdAt)
        json.key("status")
        json.string(status)
        json.key("error")
        json.null()
        json.key("incomplete_details")
        if status == "incomplete" {
            json.value(["reason": .string(ResponsesFormat.incompleteReason(completion.finishReason))])
        } else {
            json.null()
        }
        json.key("instructions")
        if let instructions = echo["instructions"] { json.value(instructions) } else { json.null() }
        json.key("max_output_tokens")
        if let limit = echo["max_output_tokens"] { json.value(limit) } else { json.null() }
        json.key("model")
        json.string(model)
        json.key("output")
        json.beginArray()
        if !completion.text.isEmpty || completion.toolCalls.isEmpty {
            writeMessageItem(id: "msg_\(idSuffix)", text: completion.text, to: &json)
        }
        for (index, call) in completion.toolCalls.enumerated() {
            writeFunctionItem(id: "fc_\(idSuffix)_\(index)", call: call, to: &json)
        }
        json.endArray()
        json.key("parallel_tool_calls")
        if let parallel = echo["parallel_tool_calls"] { json.value(parallel) } else { json.bool(true) }
        json.key("previous_response_id")
        if let previousResponseID { json.string(previousResponseID) } else { json.null() }
        json.key("reasoning")
        json.literal(#"{"effort":null,"summary":null}"#)
        json.key("store")
        json.bool(store)
        json.key("temperature")
        if let temperature = echo["temperature"] { json.value(temperature) } else { json.literal("1.0") }
        json.key("text")
        if let text = echo["text"] { json.value(text) } else { json.literal(#"{"format":{"type":"text"}}"#) }
        json.key("tool_choice")
        if let choice = echo["tool_choice"] { json.value(choice) } else { json.string("auto") }
        json.key("tools")
        if let tools = echo["tools"] { json.value(tools) } else { json.literal("[]") }
        json.key("top_p")
        if let topP = echo["top_p"] { json.value(topP) } else { json.literal("1.0") }
        json.key("truncation")
        json.string("disabled")
        json.key("usage")
        json.beginObject()
        json.key("input_tokens")
        json.integer(completion.usage.inputTokens)
        json.key("input_tokens_details")
        json.literal(#"{"cached_tokens":0}"#)
        json.key("output_tokens")
        json.integer(completion.usage.outputTokens)
        json.key("output_tokens_details")
        json.literal(#"{"reasoning_tokens":0}"#)
        json.key("total_tokens")
        json.integer(completion.usage.totalTokens)
        json.endObject()
        json.key("user")
        if let user = echo["user"] { json.value(user) } else { json.null() }
        json.key("metadata")
        if let metadata = echo["metadata"] { json.value(metadata) } else { json.literal("{}") }
        json.endObject()
        return json.bytes
    }

    static let reasoning: JSONValue = ["effort": nil, "summary": nil]
    static let textFormat: JSONValue = ["format": ["type": "text"]]

    static func incompleteReason(_ reason: FinishReason) -> String {
        reason == .length ? "max_output_tokens" : "content_filter"
    }

    static func usage(_ usage: ChatUsage) -> JSONValue {
        [
            "input_tokens": .integer(usage.inputTokens), "input_tokens_details": ["cached_tokens": 0],
            "output_tokens": .integer(usage.outputTokens), "output_tokens_details": ["reasoning_tokens": 0],
            "total_tokens": .integer(usage.totalTokens),
        ]
    }

    private func writeMessageItem(id: String, text: String, to json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.string(id)
        json.key("type")
        json.string("message")
        json.key("status")
        json.string("completed")
        json.key("role")
        json.string("assistant")
        json.key("content")
        json.beginArray()
        json.beginObject()
        json.key("type")
        json.string("output_text")
        json.key("text")
        json.string(text)
        json.key("annotations")
        json.beginArray()
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
    }

    private func writeFunctionItem(id: String, call: ToolCall, to json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.string(id)
        json.key("type")
        json.string("function_call")
        json.key("status")
        json.string("completed")
        json.key("call_id")
        json.string(call.id)
        json.key("name")
        json.string(call.name)
        json.key("arguments")
        json.string(call.arguments)
        json.endObject()
    }

    public func makeStreamEncoder() -> ResponsesStreamEncoder { ResponsesStreamEncoder(format: self) }

    static func status(_ reason: FinishReason) -> String {
        reason == .length || reason == .contentFilter ? "incomplete" : "completed"
    }

    /// The response object; `usage` nil while it is in progress.
    func object(status: String, output: [JSONValue], usage: ChatUsage?, finishReason: FinishReason? = nil) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["object"] = "response"
        object["created_at"] = .integer(createdAt)
        object["status"] = .string(status)
        object["error"] = .null
        if status == "incomplete", let finishReason {
            object["incomplete_details"] = ["reason": .string(ResponsesFormat.incompleteReason(finishReason))]
        } else {
            object["incomplete_details"] = .null
        }
        object["instructions"] = echo["instructions"] ?? .null
        object["max_output_tokens"] = echo["max_output_tokens"] ?? .null
        object["model"] = .string(model)
        object["output"] = .array(output)
        object["parallel_tool_calls"] = echo["parallel_tool_calls"] ?? true
        object["previous_response_id"] = previousResponseID.map(JSONValue.string) ?? .null
        object["reasoning"] = ResponsesFormat.reasoning
        object["store"] = .bool(store)
        object["temperature"] = echo["temperature"] ?? 1.0
        object["text"] = echo["text"] ?? ResponsesFormat.textFormat
        object["tool_choice"] = echo["tool_choice"] ?? "auto"
        object["tools"] = echo["tools"] ?? []
        object["top_p"] = echo["top_p"] ?? 1.0
        object["truncation"] = "disabled"
        if let usage {
            object["usage"] = ResponsesFormat.usage(usage)
        } else {
            object["usage"] = .null
        }
        object["user"] = echo["user"] ?? .null
        object["metadata"] = echo["metadata"] ?? .object(JSONObject())
        return .object(object)
    }

    func messageItem(id: String, text: String?, status: String) -> JSONValue {
        let content: [JSONValue] = text.map { [ResponsesFormat.textPart($0)] } ?? []
        return ["id": .string(id), "type": "message", "status": .string(status), "role": "assistant", "content": .array(content)]
    }

    static func textPart(_ text: String) -> JSONValue {
        ["type": "output_text", "text": .string(text), "annotations": []]
    }

    func functionItem(id: String, call: ToolCall, status: String) -> JSONValue {
        ["id": .string(id), "type": "function_call", "status": .string(status), "call_id": .string(call.id),
         "name": .string(call.name), "arguments": .string(call.arguments)]
    }
}

/// The Responses API's typed events from internal stream events: `response.created`, `response.in_progress`;
/// for text `response.output_item.added`, `response.content_part.added`, `response.output_text.delta`…,
/// `response.output_text.done`, `response.content_part.done`, `response.output_item.done`; for each tool call
/// `response.output_item.added`, `response.function_call_arguments.delta`…, `….done`,
/// `response.output_item.done`; then `response.completed` (or `response.incomplete`) with the whole response.
/// A failure after the start is an `error` event then `response.failed`.
public struct ResponsesStreamEncoder: InboundStreamEncoder {
    public let format: ResponsesFormat
    private var sequence = 0
    private var started = false
    /// Finished output items, in order.
    private var items: [JSONValue] = []
    /// The open item: text so far, or a tool call (its internal index) and its arguments so far.
    private var open: (outputIndex: Int, id: String, text: String, call: ToolCall?, toolIndex: Int?)?
    private var messages = 0

    public init(format: ResponsesFormat) { self.format = format }

    public mutating func encode(_ event: ChatStreamEvent) -> [UInt8] {
        var bytes = opening()
        switch event {
        case .text(let text):
            if open == nil || open?.call != nil {
                bytes += close()
                let id = messages == 0 ? "msg_\(format.idSuffix)" : "msg_\(format.idSuffix)_\(messages)"
                messages += 1
                open = (items.count, id, "", nil, nil)
                bytes += emit("response.output_item.added", [
                    "output_index": .integer(items.count), "item": format.messageItem(id: id, text: nil, status: "in_progress"),
                ])
                bytes += emit("response.content_part.added", [
                    "item_id": .string(id), "output_index": .integer(items.count), "content_index": 0, "part": ResponsesFormat.textPart(""),
                ])
            }
            open!.text += text
            bytes += emit("response.output_text.delta", [
                "item_id": .string(open!.id), "output_index": .integer(open!.outputIndex), "content_index": 0,
                "delta": .string(text), "logprobs": [],
            ])
        case .toolCallStart(let index, let callID, let name):
            bytes += close()
            let id = "fc_\(format.idSuffix)_\(index)"
            let call = ToolCall(id: callID, name: name, arguments: "")
            open = (items.count, id, "", call, index)
            bytes += emit("response.output_item.added", [
                "output_index": .integer(items.count), "item": format.functionItem(id: id, call: call, status: "in_progress"),
            ])
        case .toolCallArguments(let index, let fragment):
            guard open?.toolIndex == index else { return bytes }
            open!.call!.arguments += fragment
            bytes += emit("response.function_call_arguments.delta", [
                "item_id": .string(open!.id), "output_index": .integer(open!.outputIndex), "delta": .string(fragment),
            ])
        }
        return bytes
    }

    public mutating func end(_ summary: StreamSummary) -> [UInt8] {
        var bytes = opening()
        if items.isEmpty && open == nil { bytes += encode(.text("")) }
        bytes += close()
        let status = ResponsesFormat.status(summary.finishReason)
        let response = format.object(status: status, output: items, usage: summary.usage, finishReason: summary.finishReason)
        return bytes + emit(status == "completed" ? "response.completed" : "response.incomplete", ["response": response])
    }

    public mutating func failure(_ failure: InboundError) -> [UInt8] {
        var bytes = emit("error", ["code": .string(failure.type), "message": .string(failure.message), "param": nil])
        var response = format.object(status: "failed", output: items, usage: nil)
        if case .object(var object) = response {
            object["error"] = ["code": .string(failure.type), "message": .string(failure.message)]
            response = .object(object)
        }
        bytes += emit("response.failed", ["response": response])
        return bytes
    }

    private mutating func opening() -> [UInt8] {
        guard !started else { return [] }
        started = true
        let response = format.object(status: "in_progress", output: [], usage: nil)
        return emit("response.created", ["response": response]) + emit("response.in_progress", ["response": response])
    }

    /// Ends the open item with its `…done` events.
    private mutating func close() -> [UInt8] {
        guard let item = open else { return [] }
        open = nil
        var bytes: [UInt8] = []
        let done: JSONValue
        if let call = item.call {
            bytes += emit("response.function_call_arguments.done", [
                "item_id": .string(item.id), "output_index": .integer(item.outputIndex), "name": .string(call.name),
                "arguments": .string(call.arguments),
            ])
            done = format.functionItem(id: item.id, call: call, status: "completed")
        } else {
            bytes += emit("response.output_text.done", [
                "item_id": .string(item.id), "output_index": .integer(item.outputIndex), "content_index": 0,
                "text": .string(item.text), "logprobs": [],
            ])
            bytes += emit("response.content_part.done", [
                "item_id": .string(item.id), "output_index": .integer(item.outputIndex), "content_index": 0,
                "part": ResponsesFormat.textPart(item.text),
            ])
            done = format.messageItem(id: item.id, text: item.text, status: "completed")
        }
        items.append(done)
        return bytes + emit("response.output_item.done", ["output_index": .integer(item.outputIndex), "item": done])
    }

    /// `event: <type>` and its data, which carries the type and the next sequence number first.
    private mutating func emit(_ type: String, _ fields: JSONObject) -> [UInt8] {
        var object = JSONObject([("type", .string(type)), ("sequence_number", .integer(sequence))])
        sequence += 1
        object.members += fields.members
        var bytes = Array("event: \(type)\ndata: ".utf8)
        JSONValue.object(object).serialize(into: &bytes)
        return bytes + [0x0A, 0x0A]
    }
}
