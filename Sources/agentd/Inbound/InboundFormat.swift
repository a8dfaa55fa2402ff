import HTTP
import Inbound
import LLM

/// One inbound wire format's side of a chat call: how a whole answer, a stream and an error look to its clients.
/// The formats (OpenAI Chat Completions, Anthropic Messages, OpenAI Responses) share everything else: the
/// internal request and answer types, and `InboundPipeline`.
protocol InboundFormat: Sendable {
    associatedtype StreamEncoder: InboundStreamEncoder
    /// The body of a 200 answer.
    func completion(_ completion: ChatCompletion) -> [UInt8]
    /// An error answer, before any byte of a stream was sent.
    func errorResponse(_ failure: APIFailure) -> HTTPResponse
    func makeStreamEncoder() -> StreamEncoder
}
