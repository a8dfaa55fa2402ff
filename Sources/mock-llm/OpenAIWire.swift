import Logging

/// OpenAI Chat Completions bodies, stream chunks, model list and errors, written as the API sends them
/// (openai-python `types/chat/chat_completion.py`, `chat_completion_chunk.py`, `completion_usage.py`).
///
/// Pure functions of their arguments; JSON is built by hand with `JSONText.quoted` for every string.
enum OpenAIWire {
    static let systemFingerprint = "\"system_fingerprint\":\"fp_mock\""

    /// A whole `chat.completion` object.
    static func completion(id: String, created: Int, model: String, answer: MockAnswer, callID: String) -> String {
        let message: String
        let finishReason: String
        switch answer.content {
        case .text:
            message = "{\"role\":\"assistant\",\"content\":\(JSONText.quoted(answer.text)),\"refusal\":null,\"annotations\":[]}"
            finishReason = answer.truncated ? "length" : "stop"
        case .toolCall(let name, let arguments):
            message = "{\"role\":\"assistant\",\"content\":null,\"refusal\":null,\"annotations\":[],\"tool_calls\":[{"
                + "\"id\":\(JSONText.quoted(callID)),\"type\":\"function\",\"function\":{"
                + "\"name\":\(JSONText.quoted(name)),\"arguments\":\(JSONText.quoted(arguments))}}]}"
            finishReason = "tool_calls"
        }
        return "{\"id\":\(JSONText.quoted(id)),\"object\":\"chat.completion\",\"created\":\(created),"
            + "\"model\":\(JSONText.quoted(model)),\"choices\":[{\"index\":0,\"message\":\(message),"
            + "\"logprobs\":null,\"finish_reason\":\"\(finishReason)\"}],\"usage\":\(usage(answer)),"
            + "\"service_tier\":\"default\",\(systemFingerprint)}"
    }

    static func usage(_ answer: MockAnswer) -> String {
        "{\"prompt_tokens\":\(answer.inputTokens),\"completion_tokens\":\(answer.outputTokens),"
            + "\"total_tokens\":\(answer.inputTokens + answer.outputTokens),"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}"
    }

    /// The error body every OpenAI API error has: `{"error": {"message", "type", "param", "code"}}`.
    static func error(message: String, type: String, code: String?, param: String? = nil) -> String {
        "{\"error\":{\"message\":\(JSONText.quoted(message)),\"type\":\(JSONText.quoted(type)),"
            + "\"param\":\(param.map(JSONText.quoted) ?? "null"),\"code\":\(code.map(JSONText.quoted) ?? "null")}}"
    }

    /// `GET /v1/models`: an OpenAI list of model objects.
    static func models(_ names: [String], created: Int) -> String {
        let items = names.map {
            "{\"id\":\(JSONText.quoted($0)),\"object\":\"model\",\"created\":\(created),\"owned_by\":\"mock-llm\"}"
        }
        return "{\"object\":\"list\",\"data\":[\(items.joined(separator: ","))]}"
    }
}

/// The `chat.completion.chunk` events of one streamed answer: a first delta with the role, the content (or
/// tool-call argument) deltas, a chunk with `finish_reason`, the usage chunk when asked, and `[DONE]`.
struct OpenAIStreamFrames: StreamFrames {
    let id: String
    let created: Int
    let model: String
    let includeUsage: Bool
    let answer: MockAnswer
    let callID: String
    /// Text deltas, or pieces of the tool call's arguments.
    let pieces: [String]
    /// Every chunk of this stream starts with the same bytes, up to its delta: rendered once.
    private let chunkPrefix: [UInt8]
    /// What follows the delta of a chunk without a finish reason.
    private let openChunkSuffix: [UInt8]

    init(id: String, created: Int, model: String, includeUsage: Bool, answer: MockAnswer, callID: String, chunks: Int) {
        self.id = id
        self.created = created
        self.model = model
        self.includeUsage = includeUsage
        self.answer = answer
        self.callID = callID
        pieces = answer.isToolCall ? answer.argumentChunks(chunks) : answer.textChunks(chunks)
        chunkPrefix = Array(("data: {\"id\":\(JSONText.quoted(id)),\"object\":\"chat.completion.chunk\",\"created\":\(created),"
            + "\"model\":\(JSONText.quoted(model)),\(OpenAIWire.systemFingerprint),\"choices\":[{\"index\":0,\"delta\":").utf8)
        openChunkSuffix = Array((",\"logprobs\":null,\"finish_reason\":null}]" + (includeUsage ? ",\"usage\":null" : "") + "}\n\n").utf8)
    }

    var contentCount: Int { pieces.count }

    func opening() -> [UInt8] {
        if case .toolCall(let name, _) = answer.content {
            return event(
                delta: "{\"role\":\"assistant\",\"content\":null,\"refusal\":null,\"tool_calls\":[{\"index\":0,"
                    + "\"id\":\(JSONText.quoted(callID)),\"type\":\"function\",\"function\":{"
                    + "\"name\":\(JSONText.quoted(name)),\"arguments\":\"\"}}]}",
                finishReason: nil
            )
        }
        return event(delta: "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", finishReason: nil)
    }

    func content(_ index: Int) -> [UInt8] {
        let piece = JSONText.quoted(pieces[index])
        if answer.isToolCall {
            return event(delta: "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\(piece)}}]}", finishReason: nil)
        }
        return event(delta: "{\"content\":\(piece)}", finishReason: nil)
    }

    func closing() -> [UInt8] {
        let reason = answer.isToolCall ? "tool_calls" : (answer.truncated ? "length" : "stop")
        var out = event(delta: "{}", finishReason: reason)
        if includeUsage {
            out += Array(("data: {\"id\":\(JSONText.quoted(id)),\"object\":\"chat.completion.chunk\",\"created\":\(created),"
                + "\"model\":\(JSONText.quoted(model)),\(OpenAIWire.systemFingerprint),\"choices\":[],"
                + "\"usage\":\(OpenAIWire.usage(answer))}\n\n").utf8)
        }
        return out + Array("data: [DONE]\n\n".utf8)
    }

    func malformed() -> [UInt8] { Array("data: {not json\n\n".utf8) }

    private func event(delta: String, finishReason: String?) -> [UInt8] {
        var out = chunkPrefix
        out += delta.utf8
        guard let finishReason else { return out + openChunkSuffix }
        out += ",\"logprobs\":null,\"finish_reason\":\"\(finishReason)\"}]\(includeUsage ? ",\"usage\":null" : "")}\n\n".utf8
        return out
    }
}
