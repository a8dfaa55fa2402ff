import JSON

/// An embeddings call to one provider's model, in OpenAI's terms (the only wire format that has them).
public struct EmbeddingRequest: Sendable {
    /// The model as the provider names it (without our `provider:` prefix).
    public var model: String
    /// A string, an array of strings, or token arrays: passed as sent.
    public var input: JSONValue
    public var dimensions: Int?
    /// `float` or `base64`: the vectors come back as the client asked.
    public var encodingFormat: String?
    public var user: String?
    public var requestID: String?
    public var traceparent: String?

    public init(
        model: String, input: JSONValue, dimensions: Int? = nil, encodingFormat: String? = nil, user: String? = nil,
        requestID: String? = nil, traceparent: String? = nil
    ) {
        self.model = model
        self.input = input
        self.dimensions = dimensions
        self.encodingFormat = encodingFormat
        self.user = user
        self.requestID = requestID
        self.traceparent = traceparent
    }

    /// The number of inputs: one for a string or a single token array.
    public var inputCount: Int {
        guard let items = input.arrayValue else { return 1 }
        if let first = items.first, first.intValue != nil { return 1 }
        return items.count
    }
}

/// The vectors, as the upstream sent them (`data`: `[{"object":"embedding","index","embedding"}]`), and the
/// tokens the inputs counted.
public struct EmbeddingResponse: Sendable, Equatable {
    public var data: JSONValue
    public var usage: ChatUsage

    public init(data: JSONValue, usage: ChatUsage) {
        self.data = data
        self.usage = usage
    }
}

/// A provider that makes embeddings. `completion` runs exactly once, on the thread that ended the call.
public protocol EmbeddingProviding: ChatProvider {
    func embed(
        _ request: EmbeddingRequest, completion: @escaping @Sendable (Result<EmbeddingResponse, ProviderError>) -> Void
    ) -> ProviderCall
}

/// A provider that counts a request's input tokens itself (Anthropic's `count_tokens`).
public protocol TokenCounting: ChatProvider {
    func countTokens(_ request: ChatRequest, completion: @escaping @Sendable (Result<Int, ProviderError>) -> Void) -> ProviderCall
}
