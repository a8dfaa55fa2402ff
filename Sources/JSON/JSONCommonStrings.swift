import Glibc

/// The strings that recur in every document on agentd's hot paths: the keys and constant values of OpenAI's and
/// Anthropic's requests, answers, stream chunks and usage objects. The parser returns these as literals instead
/// of building a `String` from the bytes each time: no UTF-8 validation, no allocation for the longer ones
/// ("chat.completion.chunk"), no reference counting (a literal is immortal), and a stream of a thousand chunks
/// repeats the same dozen keys a thousand times.
///
/// Only for a string without escapes and all ASCII, matched byte for byte, so the result is exactly what
/// `String(decoding:as:)` of the same bytes gives. A `switch` on the length, then the first byte, then the rest:
/// a string that is not here costs a jump and a byte compare or two.
enum JSONCommonStrings {
    /// The literal whose bytes are exactly `run`, or nil.
    static func match(_ run: UnsafeBufferPointer<UInt8>) -> String? {
        switch run.count {
        case 2:
            if same(run, "id") { return "id" }
        case 4:
            if same(run, "code") { return "code" }
            if same(run, "name") { return "name" }
            if same(run, "ping") { return "ping" }
            if same(run, "role") { return "role" }
            if same(run, "stop") { return "stop" }
            if same(run, "text") { return "text" }
            if same(run, "tool") { return "tool" }
            if same(run, "type") { return "type" }
            if same(run, "user") { return "user" }
        case 5:
            if same(run, "delta") { return "delta" }
            if same(run, "error") { return "error" }
            if same(run, "index") { return "index" }
            if same(run, "input") { return "input" }
            if same(run, "model") { return "model" }
            if same(run, "param") { return "param" }
            if same(run, "tools") { return "tools" }
            if same(run, "top_p") { return "top_p" }
            if same(run, "usage") { return "usage" }
        case 6:
            if same(run, "length") { return "length" }
            if same(run, "object") { return "object" }
            if same(run, "stream") { return "stream" }
            if same(run, "string") { return "string" }
            if same(run, "system") { return "system" }
        case 7:
            if same(run, "choices") { return "choices" }
            if same(run, "content") { return "content" }
            if same(run, "created") { return "created" }
            if same(run, "default") { return "default" }
            if same(run, "message") { return "message" }
            if same(run, "refusal") { return "refusal" }
        case 8:
            if same(run, "end_turn") { return "end_turn" }
            if same(run, "function") { return "function" }
            if same(run, "logprobs") { return "logprobs" }
            if same(run, "messages") { return "messages" }
            if same(run, "required") { return "required" }
            if same(run, "tool_use") { return "tool_use" }
        case 9:
            if same(run, "arguments") { return "arguments" }
            if same(run, "assistant") { return "assistant" }
        case 10:
            if same(run, "max_tokens") { return "max_tokens" }
            if same(run, "parameters") { return "parameters" }
            if same(run, "properties") { return "properties" }
            if same(run, "text_delta") { return "text_delta" }
            if same(run, "tool_calls") { return "tool_calls" }
        case 11:
            if same(run, "description") { return "description" }
            if same(run, "stop_reason") { return "stop_reason" }
            if same(run, "temperature") { return "temperature" }
            if same(run, "tool_choice") { return "tool_choice" }
            if same(run, "tool_result") { return "tool_result" }
            if same(run, "tool_use_id") { return "tool_use_id" }
        case 12:
            if same(run, "audio_tokens") { return "audio_tokens" }
            if same(run, "input_tokens") { return "input_tokens" }
            if same(run, "message_stop") { return "message_stop" }
            if same(run, "partial_json") { return "partial_json" }
            if same(run, "service_tier") { return "service_tier" }
            if same(run, "tool_call_id") { return "tool_call_id" }
            if same(run, "total_tokens") { return "total_tokens" }
        case 13:
            if same(run, "cached_tokens") { return "cached_tokens" }
            if same(run, "content_block") { return "content_block" }
            if same(run, "finish_reason") { return "finish_reason" }
            if same(run, "include_usage") { return "include_usage" }
            if same(run, "message_delta") { return "message_delta" }
            if same(run, "message_start") { return "message_start" }
            if same(run, "output_tokens") { return "output_tokens" }
            if same(run, "prompt_tokens") { return "prompt_tokens" }
            if same(run, "stop_sequence") { return "stop_sequence" }
        case 14:
            if same(run, "content_filter") { return "content_filter" }
            if same(run, "stream_options") { return "stream_options" }
        case 15:
            if same(run, "chat.completion") { return "chat.completion" }
        case 16:
            if same(run, "input_json_delta") { return "input_json_delta" }
            if same(run, "reasoning_tokens") { return "reasoning_tokens" }
        case 17:
            if same(run, "completion_tokens") { return "completion_tokens" }
        case 18:
            if same(run, "content_block_stop") { return "content_block_stop" }
            if same(run, "system_fingerprint") { return "system_fingerprint" }
        case 19:
            if same(run, "content_block_delta") { return "content_block_delta" }
            if same(run, "content_block_start") { return "content_block_start" }
        case 21:
            if same(run, "chat.completion.chunk") { return "chat.completion.chunk" }
            if same(run, "max_completion_tokens") { return "max_completion_tokens" }
            if same(run, "prompt_tokens_details") { return "prompt_tokens_details" }
        case 23:
            if same(run, "cache_read_input_tokens") { return "cache_read_input_tokens" }
        case 25:
            if same(run, "completion_tokens_details") { return "completion_tokens_details" }
        case 26:
            if same(run, "accepted_prediction_tokens") { return "accepted_prediction_tokens" }
            if same(run, "rejected_prediction_tokens") { return "rejected_prediction_tokens" }
        case 27:
            if same(run, "cache_creation_input_tokens") { return "cache_creation_input_tokens" }
        default: break
        }
        return nil
    }

    /// Whether `run` (of the literal's length) holds the literal's bytes.
    @inline(__always)
    private static func same(_ run: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        run[0] == literal.utf8Start[0] && memcmp(run.baseAddress!, literal.utf8Start, run.count) == 0
    }

    /// Every string `match` knows, for tests.
    static let all: [String] = [
        "id", "object", "created", "model", "choices", "index", "delta", "message", "messages", "content", "role",
        "finish_reason", "logprobs", "usage", "prompt_tokens", "completion_tokens", "total_tokens", "tool_calls",
        "tool_call_id", "function", "name", "arguments", "type", "stream", "stream_options", "include_usage",
        "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "user", "tools", "tool_choice",
        "system_fingerprint", "refusal", "prompt_tokens_details", "completion_tokens_details", "cached_tokens",
        "reasoning_tokens", "audio_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens",
        "service_tier", "default", "chat.completion", "chat.completion.chunk", "assistant", "system", "tool",
        "length", "content_filter", "error", "code", "param", "parameters", "description", "properties", "required",
        "string", "text", "input_tokens", "output_tokens", "stop_reason", "stop_sequence", "end_turn", "tool_use",
        "content_block", "message_start", "message_delta", "message_stop", "content_block_start",
        "content_block_delta", "content_block_stop", "text_delta", "input_json_delta", "partial_json", "ping",
        "cache_creation_input_tokens", "cache_read_input_tokens", "input", "tool_result", "tool_use_id",
    ]
}
