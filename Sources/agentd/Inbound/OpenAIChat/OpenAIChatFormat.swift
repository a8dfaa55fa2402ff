import HTTP
import Inbound
import JSON
import LLM

/// Chat Completions as an inbound format: `chat.completion` answers, `chat.completion.chunk` streams ending in
/// `data: [DONE]`, OpenAI's error body (also as a stream event once the stream started: the SDKs raise it).
struct OpenAIChatFormat: InboundFormat {
    let encoding: OpenAIResponseEncoding
    let includeUsage: Bool

    func completion(_ completion: ChatCompletion) -> [UInt8] { encoding.completion(completion) }

    func errorResponse(_ failure: APIFailure) -> HTTPResponse { failure.openAIResponse() }

    func makeStreamEncoder() -> Encoder { Encoder(encoding: encoding.chunks, includeUsage: includeUsage) }

    struct Encoder: InboundStreamEncoder {
        let encoding: OpenAIChunkEncoding
        let includeUsage: Bool
        var roleSent = false

        mutating func encode(_ event: ChatStreamEvent) -> [UInt8] {
            opening() + encoding.chunk(for: event)
        }

        mutating func end(_ summary: StreamSummary) -> [UInt8] {
            opening() + encoding.end(summary, includeUsage: includeUsage)
        }

        mutating func failure(_ failure: InboundError) -> [UInt8] { JSONValue.sseDataEvent(APIFailure(failure).openAIErrorJSON) }

        /// The first chunk names the role.
        private mutating func opening() -> [UInt8] {
            if roleSent { return [] }
            roleSent = true
            return encoding.roleChunk
        }
    }
}
