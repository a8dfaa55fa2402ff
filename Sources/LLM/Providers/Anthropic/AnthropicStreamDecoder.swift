import HTTP
import JSON

/// Anthropic's stream events to ours: `message_start` (input usage), `content_block_start` (a `tool_use`
/// block starts a tool call), `content_block_delta` (`text_delta`, `input_json_delta`), `message_delta`
/// (stop reason, output usage), `message_stop` (the end), `ping` (ignored) and `error`.
struct AnthropicStreamDecoder: StreamDecoder {
    let provider: String
    private(set) var summary = StreamSummary()
    /// Anthropic's content block index → our tool call index (tool calls counted from 0, as OpenAI does).
    private var toolIndexByBlock: [Int: Int] = [:]
    private var sawStopReason = false

    init(provider: String) { self.provider = provider }

    var isComplete: Bool { sawStopReason }

    mutating func decode(_ event: ServerSentEvent, emit: (ChatStreamEvent) -> Void) throws(ProviderError) -> Bool {
        let data = try ProviderJSON.parse(event.data, provider: provider)
        switch data["type"]?.stringValue ?? event.event {
        case "message_start":
            let usage = AnthropicWire.usage(data["message"]?["usage"])
            summary.usage.inputTokens = usage.inputTokens
            summary.usage.outputTokens = usage.outputTokens
        case "content_block_start":
            let block = data["content_block"]
            if block?["type"]?.stringValue == "tool_use", let blockIndex = data["index"]?.intValue {
                let index = toolIndexByBlock.count
                toolIndexByBlock[blockIndex] = index
                emit(.toolCallStart(index: index, id: block?["id"]?.stringValue ?? "", name: block?["name"]?.stringValue ?? ""))
            } else if let text = block?["text"]?.stringValue, !text.isEmpty {
                emit(.text(text))
            }
        case "content_block_delta":
            let delta = data["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta":
                if let text = delta?["text"]?.stringValue, !text.isEmpty { emit(.text(text)) }
            case "input_json_delta":
                if let fragment = delta?["partial_json"]?.stringValue, !fragment.isEmpty,
                    let index = data["index"]?.intValue.flatMap({ toolIndexByBlock[$0] }) {
                    emit(.toolCallArguments(index: index, fragment: fragment))
                }
            default:
                break
            }
        case "message_delta":
            if let reason = data["delta"]?["stop_reason"]?.stringValue {
                summary.finishReason = AnthropicWire.finishReason(reason)
                summary.stopSequence = data["delta"]?["stop_sequence"]?.stringValue
                sawStopReason = true
            }
            if let output = data["usage"]?["output_tokens"]?.intValue { summary.usage.outputTokens = output }
            // Newer API versions (and agentd's own /v1/messages) give the input's total here too.
            if data["usage"]?["input_tokens"]?.intValue != nil { summary.usage.inputTokens = AnthropicWire.usage(data["usage"]).inputTokens }
        case "message_stop":
            return true
        case "error":
            let error = data["error"]
            let type = error?["type"]?.stringValue
            throw ProviderError(
                provider: provider, kind: .status(type == "overloaded_error" ? 529 : 500),
                message: error?["message"]?.stringValue ?? "error in stream", upstreamCode: type
            )
        default:
            break  // ping, content_block_stop, and event types added later
        }
        return false
    }
}
