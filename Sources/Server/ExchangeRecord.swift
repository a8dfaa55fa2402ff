import HTTP
import Tracing

/// What a handler learned while answering, for the access log: the upstream it used, tokens, attempts, cache.
/// Attached with `Responder.annotate`; every field is optional.
public struct ExchangeNote: Sendable, Equatable {
    /// The rate-limit and budget identity: an API key's name, or the client address. Never a key.
    public var client: String?
    public var provider: String?
    public var model: String?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var attempts: Int?
    /// `hit`, `miss` or nil when the cache was not consulted.
    public var cache: String?
    /// The agent profile of a `/chat` turn.
    public var agent: String?
    /// The request's server span, when it is traced.
    public var trace: ExchangeTrace?

    public init(
        client: String? = nil, provider: String? = nil, model: String? = nil, inputTokens: Int? = nil,
        outputTokens: Int? = nil, attempts: Int? = nil, cache: String? = nil, agent: String? = nil, trace: ExchangeTrace? = nil
    ) {
        self.client = client
        self.provider = provider
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.attempts = attempts
        self.cache = cache
        self.agent = agent
        self.trace = trace
    }

    /// This note with `other`'s fields laid over it (later annotations win).
    func merged(with other: ExchangeNote) -> ExchangeNote {
        ExchangeNote(
            client: other.client ?? client, provider: other.provider ?? provider, model: other.model ?? model,
            inputTokens: other.inputTokens ?? inputTokens, outputTokens: other.outputTokens ?? outputTokens,
            attempts: other.attempts ?? attempts, cache: other.cache ?? cache, agent: other.agent ?? agent,
            trace: other.trace ?? trace
        )
    }
}

/// A traced request's server span: its context, its caller's span, and when it began.
public struct ExchangeTrace: Sendable, Equatable {
    public var context: TraceContext
    public var parentSpanID: UInt64?
    public var startUnixNs: UInt64

    public init(context: TraceContext, parentSpanID: UInt64?, startUnixNs: UInt64) {
        self.context = context
        self.parentSpanID = parentSpanID
        self.startUnixNs = startUnixNs
    }
}

/// One finished exchange: what the access log and the HTTP metrics are made of.
public struct ExchangeRecord: Sendable {
    public var requestID: String
    /// nil for a request rejected before its head could be read.
    public var method: HTTPMethod?
    /// The matched route's template; nil for 404s and rejected requests (`unmatched` in metrics).
    public var route: String?
    /// The status sent; 0 when the client left before any response.
    public var status: Int
    public var durationNs: UInt64
    public var remoteAddress: String
    /// False when the client went away before the response was complete.
    public var completed: Bool
    public var note: ExchangeNote?
}

/// Told of every exchange when it ends, on the connection's event loop: must be quick and must not block.
public protocol ExchangeObserver: Sendable {
    func exchangeFinished(_ record: ExchangeRecord)
}
