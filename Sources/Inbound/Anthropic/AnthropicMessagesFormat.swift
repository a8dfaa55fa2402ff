#if canImport(JSON)
import JSON
#endif
#if canImport(LLM)
import LLM
#endif

/// Anthropic Messages answers: `message` objects, Anthropic's stream of named events, and its error body
/// `{"type":"error","error":{"type","message"}}`. Pure functions of their inputs.
public struct AnthropicMessagesFormat: Sendable {
    /// `msg_…`, unique per request.
    public let id: String
    /// `provider:model`, as answers name it.
    public let model: String
    public let requestID: String

    public init(id: String, model: String, requestID: String) {
        self.id = id
        self.model = model
        self.requestID = requestID
    }

    /// The whole answer's `message`, written straight to bytes (once per request).
    public func completion(_ completion: ChatCompletion) -> [UInt8] {
        var json = JSONWriter(capacity: 320 + completion.text.utf8.count)
        json.beginObject()
        json.key("id")
        json.string(id)
        json.key("type")
        json.string("message")
        json.key("role")
        json.string("assistant")
        json.key("model")
        json.string(model)
        json.key("content")
        json.beginArray()
        if !completion.text.isEmpty || completion.toolCalls.isEmpty {
            json.beginObject()
            json.key("type")
            json.string("text")
            json.key("text")
            json.string(completion.text)
            json.endObject()
        }
        for call in completion.toolCalls {
            json.beginObject()
            json.key("type")
            json.string("tool_use")
            json.key("id")
            json.string(call.id)
            json.key("name")
            json.string(call.name)
            json.key("input")
            json.value(AnthropicMessagesFormat.input(call.arguments))
            json.endObject()
        }
        json.endArray()
        json.key("stop_reason")
        json.string(AnthropicMessagesFormat.stopReason(completion.finishReason, completion.stopSequence))
        json.key("stop_sequence")
        if let stop = completion.stopSequence { json.string(stop) } else { json.null() }
        json.key("usage")
        json.beginObject()
        json.key("input_tokens")
        json.integer(completion.usage.inputTokens)
        json.key("output_tokens")
        json.integer(completion.usage.outputTokens)
        json.endObject()
        json.endObject()
        return json.bytes
    }

    public func makeStreamEncoder() -> AnthropicStreamEncoder { AnthropicStreamEncoder(id: id, model: model) }

    /// A tool call's arguments as the `input` object (arguments that are not a JSON object become `{}`).
    public static func input(_ arguments: String) -> JSONValue {
        guard let value = try? JSONValue.parse(arguments), value.objectValue != nil else { return .object(JSONObject()) }
        return value
    }

    public static func stopReason(_ reason: FinishReason, _ stopSequence: String?) -> String {
        switch reason {
        case .stop: return stopSequence == nil ? "end_turn" : "stop_sequence"
        case .length: return "max_tokens"
        case .toolCalls: return "tool_use"
        case .contentFilter: return "refusal"
        }
    }
}

/// Anthropic's event sequence from internal stream events: `message_start` and a `ping` first, then one content
/// block per text run or tool call (`content_block_start`, `…_delta` with `text_delta` or `input_json_delta`,
/// `content_block_stop`), then `message_delta` (stop reason, usage) and `message_stop`. A failure after the
/// start is an `error` event.
public struct AnthropicStreamEncoder: InboundStreamEncoder {
    public let id: String
    public let model: String
    private var started = false
    /// The open block's index and, for a tool call, the call's index (nil: a text block).
    private var open: (block: Int, tool: Int?)?
    private var nextBlock = 0
    /// Tool call index → its block, for argument pieces that arrive after another block began.
    private var toolBlocks: [Int: Int] = [:]

    public init(id: String, model: String) {
        self.id = id
        self.model = model
    }

    public mutating func encode(_ event: ChatStreamEvent) -> [UInt8] {
        var bytes = opening()
        switch event {
        case .text(let text):
            if open == nil || open?.tool != nil { bytes += startBlock(["type": "text", "text": ""], tool: nil) }
            bytes += Self.event("content_block_delta", [
                "type": "content_block_delta", "index": .integer(open!.block), "delta": ["type": "text_delta", "text": .string(text)],
            ])
        case .toolCallStart(let index, let callID, let name):
            bytes += startBlock(
                ["type": "tool_use", "id": .string(callID), "name": .string(name), "input": .object(JSONObject())], tool: index
            )
        case .toolCallArguments(let index, let fragment):
            let block = open?.tool == index ? open!.block : toolBlocks[index]
            guard let block else { return bytes }
            bytes += Self.event("content_block_delta", [
                "type": "content_block_delta", "index": .integer(block),
                "delta": ["type": "input_json_delta", "partial_json": .string(fragment)],
            ])
        }
        return bytes
    }

    public mutating func end(_ summary: StreamSummary) -> [UInt8] {
        var bytes = opening()
        if nextBlock == 0 { bytes += startBlock(["type": "text", "text": ""], tool: nil) }
        bytes += closeBlock()
        bytes += Self.event("message_delta", [
            "type": "message_delta",
            "delta": ["stop_reason": .string(AnthropicMessagesFormat.stopReason(summary.finishReason, summary.stopSequence)),
                      "stop_sequence": summary.stopSequence.map(JSONValue.string) ?? .null],
            "usage": ["input_tokens": .integer(summary.usage.inputTokens), "output_tokens": .integer(summary.usage.outputTokens)],
        ])
        return bytes + Self.event("message_stop", ["type": "message_stop"])
    }

    public mutating func failure(_ failure: InboundError) -> [UInt8] {
        Self.event("error", AnthropicMessagesFormat.errorJSON(failure))
    }

    private mutating func opening() -> [UInt8] {
        guard !started else { return [] }
        started = true
        let message: JSONValue = [
            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": [],
            "stop_reason": nil, "stop_sequence": nil, "usage": ["input_tokens": 0, "output_tokens": 0],
        ]
        return Self.event("message_start", ["type": "message_start", "message": message])
            + Self.event("ping", ["type": "ping"])
    }

    private mutating func startBlock(_ block: JSONValue, tool: Int?) -> [UInt8] {
        var bytes = closeBlock()
        let index = nextBlock
        nextBlock += 1
        open = (index, tool)
        if let tool { toolBlocks[tool] = index }
        bytes += Self.event("content_block_start", ["type": "content_block_start", "index": .integer(index), "content_block": block])
        return bytes
    }

    private mutating func closeBlock() -> [UInt8] {
        guard let block = open?.block else { return [] }
        open = nil
        return Self.event("content_block_stop", ["type": "content_block_stop", "index": .integer(block)])
    }

    /// `event: <name>` and its `data:` line, as Anthropic sends them.
    public static func event(_ name: String, _ data: JSONValue) -> [UInt8] {
        var bytes = Array("event: \(name)\ndata: ".utf8)
        data.serialize(into: &bytes)
        bytes += [0x0A, 0x0A]
        return bytes
    }
}

extension AnthropicMessagesFormat {
    /// Anthropic's error body: `{"type":"error","error":{"type","message"},"request_id"?}`.
    public static func errorJSON(_ error: InboundError, requestID: String? = nil) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("type", "error"), ("error", ["type": .string(errorType(status: error.status)), "message": .string(error.message)]),
        ]
        if let requestID { members.append(("request_id", .string(requestID))) }
        return .object(JSONObject(members))
    }

    /// Anthropic's error types by status (its API reference's table).
    public static func errorType(status: Int) -> String {
        switch status {
        case 400, 405, 415: return "invalid_request_error"
        case 401: return "authentication_error"
        case 402: return "billing_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 503, 529: return "overloaded_error"
        case 504: return "timeout_error"
        default: return "api_error"
        }
    }
}
