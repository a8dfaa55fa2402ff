#if canImport(LLM)
import LLM
#endif

/// Turns one answer's stream events into a format's event stream. Owner: the stream's callbacks, which run one
/// at a time (the pipeline keeps the encoder behind a lock).
public protocol InboundStreamEncoder: Sendable {
    /// The bytes for one event (the format's opening events come with the first).
    mutating func encode(_ event: ChatStreamEvent) -> [UInt8]
    /// The closing events of a stream that completed.
    mutating func end(_ summary: StreamSummary) -> [UInt8]
    /// The event that ends a stream that failed after it started.
    mutating func failure(_ failure: InboundError) -> [UInt8]
}
