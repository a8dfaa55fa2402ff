import HTTP
/// How to reach one HTTP provider.
public struct ProviderConfiguration: Sendable {
    public enum Kind: String, Sendable {
        case openai, anthropic
    }

    public var name: String
    public var kind: Kind
    /// `https://api.openai.com/v1` (requests go to `<base>/chat/completions`) or `https://api.anthropic.com`
    /// (requests go to `<base>/v1/messages`), as the official SDKs do.
    public var baseURL: String
    public var apiKey: String?
    public var connectTimeoutMs: Int
    public var totalTimeoutMs: Int
    public var streamIdleTimeoutMs: Int
    /// Models listed by `GET /v1/models`.
    public var models: [String]
    /// OpenAI's own API takes `max_completion_tokens` (its reasoning models refuse `max_tokens`); compatible
    /// servers (Ollama, vLLM, Groq) still expect `max_tokens`.
    public var sendsMaxCompletionTokens: Bool
    /// CA certificates to trust for this upstream instead of the system's (PEM file).
    public var caFile: String?

    public init(
        name: String, kind: Kind, baseURL: String, apiKey: String? = nil, connectTimeoutMs: Int = 5_000,
        totalTimeoutMs: Int = 120_000, streamIdleTimeoutMs: Int = 30_000, models: [String] = [],
        sendsMaxCompletionTokens: Bool = false, caFile: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.streamIdleTimeoutMs = streamIdleTimeoutMs
        self.models = models
        self.sendsMaxCompletionTokens = sendsMaxCompletionTokens
        self.caFile = caFile
    }
}

/// The parts of an HTTP provider that differ between wire formats.
protocol WireFormat: Sendable {
    associatedtype Decoder: StreamDecoder
    var configuration: ProviderConfiguration { get }
    func makeRequest(_ request: ChatRequest, stream: Bool) throws(ProviderError) -> TransferRequest
    func decodeCompletion(_ body: [UInt8]) throws(ProviderError) -> ChatCompletion
    func decodeError(status: Int, head: TransferHead, body: [UInt8]) -> ProviderError
    func makeStreamDecoder() -> Decoder
}

/// Turns one wire format's stream events into ours.
protocol StreamDecoder {
    /// Decodes one upstream event; returns true when it ends the stream.
    mutating func decode(_ event: ServerSentEvent, emit: (ChatStreamEvent) -> Void) throws(ProviderError) -> Bool
    var summary: StreamSummary { get }
    /// Whether the stream may end here without its closing event (it already sent its finish reason).
    var isComplete: Bool { get }
}
