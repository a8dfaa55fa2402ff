import Logging

/// Anthropic Messages API bodies, stream events and errors, written as the API sends them
/// (anthropic-sdk-python `types/message.py`, `usage.py`, `raw_message_*_event.py`, `shared/error_response.py`).
///
/// Pure functions of their arguments; JSON is built by hand with `JSONText.quoted` for every string.
enum AnthropicWire {
    /// A whole `message` object.
    static func message(id: String, model: String, answer: MockAnswer, toolUseID: String) -> String {
        let block: String
        switch answer.content {
        case .text:
            block = "{\"type\":\"text\",\"text\":\(JSONText.quoted(answer.text))}"
        case .toolCall(let name, let arguments):
            // The arguments are already JSON text: the input object goes in as it is.
            block = "{\"type\":\"tool_use\",\"id\":\(JSONText.quoted(toolUseID)),\"name\":\(JSONText.quoted(name)),\"input\":\(arguments)}"
        }
        return "{\"id\":\(JSONText.quoted(id)),\"type\":\"message\",\"role\":\"assistant\",\"model\":\(JSONText.quoted(model)),"
            + "\"content\":[\(block)],\"stop_reason\":\"\(stopReason(answer))\",\"stop_sequence\":null,"
            + "\"usage\":\(usage(input: answer.inputTokens, output: answer.outputTokens))}"
    }

    static func stopReason(_ answer: MockAnswer) -> String {
        answer.isToolCall ? "tool_use" : (answer.truncated ? "max_tokens" : "end_turn")
    }

    static func usage(input: Int, output: Int) -> String {
        "{\"input_tokens\":\(input),\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":\(output)}"
    }

    /// `{"type": "error", "error": {"type", "message"}, "request_id"}`.
    static func error(type: String, message: String, requestID: String) -> String {
        "{\"type\":\"error\",\"error\":{\"type\":\(JSONText.quoted(type)),\"message\":\(JSONText.quoted(message))},"
            + "\"request_id\":\(JSONText.quoted(requestID))}"
    }

    /// `GET /v1/models` asked with `anthropic-version`: Anthropic's paged list.
    static func models(_ names: [String]) -> String {
        let items = names.map {
            "{\"type\":\"model\",\"id\":\(JSONText.quoted($0)),\"display_name\":\(JSONText.quoted($0)),"
                + "\"created_at\":\"2025-01-01T00:00:00Z\"}"
        }
        return "{\"data\":[\(items.joined(separator: ","))],\"has_more\":false,"
            + "\"first_id\":\(names.first.map(JSONText.quoted) ?? "null"),\"last_id\":\(names.last.map(JSONText.quoted) ?? "null")}"
    }

    static func event(_ name: String, _ json: String) -> [UInt8] { Array("event: \(name)\ndata: \(json)\n\n".utf8) }
}

/// The events of one streamed message: `message_start`, `content_block_start`, `ping`, one
/// `content_block_delta` per chunk (`text_delta`, or `input_json_delta` for a tool call), `content_block_stop`,
/// `message_delta` with the stop reason and output tokens, `message_stop`.
struct AnthropicStreamFrames: StreamFrames {
    let id: String
    let model: String
    let answer: MockAnswer
    let toolUseID: String
    let pieces: [String]

    init(id: String, model: String, answer: MockAnswer, toolUseID: String, chunks: Int) {
        self.id = id
        self.model = model
        self.answer = answer
        self.toolUseID = toolUseID
        pieces = answer.isToolCall ? answer.argumentChunks(chunks) : answer.textChunks(chunks)
    }

    var contentCount: Int { pieces.count }

    func opening() -> [UInt8] {
        let block: String
        if case .toolCall(let name, _) = answer.content {
            block = "{\"type\":\"tool_use\",\"id\":\(JSONText.quoted(toolUseID)),\"name\":\(JSONText.quoted(name)),\"input\":{}}"
        } else {
            block = "{\"type\":\"text\",\"text\":\"\"}"
        }
        return AnthropicWire.event(
            "message_start",
            "{\"type\":\"message_start\",\"message\":{\"id\":\(JSONText.quoted(id)),\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\(JSONText.quoted(model)),\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                + "\"usage\":\(AnthropicWire.usage(input: answer.inputTokens, output: 1))}}"
        )
            + AnthropicWire.event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":\(block)}")
            + AnthropicWire.event("ping", "{\"type\":\"ping\"}")
    }

    private static let textDeltaPrefix = Array(
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":".utf8)
    private static let jsonDeltaPrefix = Array(
        ("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":").utf8)
    private static let deltaSuffix = Array("}}\n\n".utf8)

    func content(_ index: Int) -> [UInt8] {
        var out = answer.isToolCall ? AnthropicStreamFrames.jsonDeltaPrefix : AnthropicStreamFrames.textDeltaPrefix
        out += JSONText.quoted(pieces[index]).utf8
        return out + AnthropicStreamFrames.deltaSuffix
    }

    func closing() -> [UInt8] {
        AnthropicWire.event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + AnthropicWire.event(
                "message_delta",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"\(AnthropicWire.stopReason(answer))\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":\(answer.outputTokens)}}"
            )
            + AnthropicWire.event("message_stop", "{\"type\":\"message_stop\"}")
    }

    func malformed() -> [UInt8] { Array("event: content_block_delta\ndata: {not json\n\n".utf8) }
}
