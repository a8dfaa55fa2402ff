/// OpenTelemetry's span kinds, with OTLP's numbers.
public enum SpanKind: Int, Sendable {
    case `internal` = 1, server = 2, client = 3, producer = 4, consumer = 5
}

/// An attribute's value: the OTLP `AnyValue` kinds agentd uses.
public enum AttributeValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case strings([String])
}

extension AttributeValue {
    /// A URL for `url.full` without its query and fragment, which may hold a token.
    public static func url(_ url: String) -> AttributeValue { .string(String(url.prefix { $0 != "?" && $0 != "#" })) }
}

/// Something that happened during a span (a retry, a fallback, a refused call).
public struct SpanEvent: Sendable, Equatable {
    public var name: String
    public var timeUnixNs: UInt64
    public var attributes: [(key: String, value: AttributeValue)]

    public init(name: String, timeUnixNs: UInt64 = Tracer.nowUnixNs(), attributes: [(key: String, value: AttributeValue)] = []) {
        self.name = name
        self.timeUnixNs = timeUnixNs
        self.attributes = attributes
    }

    public static func == (lhs: SpanEvent, rhs: SpanEvent) -> Bool {
        lhs.name == rhs.name && lhs.timeUnixNs == rhs.timeUnixNs && lhs.attributes.elementsEqual(rhs.attributes) { $0 == $1 }
    }
}

/// A finished span, ready to export.
public struct SpanData: Sendable {
    public var context: TraceContext
    /// nil: a root span.
    public var parentSpanID: UInt64?
    public var name: String
    public var kind: SpanKind
    public var startUnixNs: UInt64
    public var endUnixNs: UInt64
    public var attributes: [(key: String, value: AttributeValue)]
    public var events: [SpanEvent]
    /// Spans of other traces this one follows from (a task run → the request that submitted it).
    public var links: [TraceContext]
    /// nil: unset; else an error with its description.
    public var error: String?

    public init(
        context: TraceContext, parentSpanID: UInt64?, name: String, kind: SpanKind, startUnixNs: UInt64,
        endUnixNs: UInt64 = Tracer.nowUnixNs(), attributes: [(key: String, value: AttributeValue)] = [],
        events: [SpanEvent] = [], links: [TraceContext] = [], error: String? = nil
    ) {
        self.context = context
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startUnixNs = startUnixNs
        self.endUnixNs = endUnixNs
        self.attributes = attributes
        self.events = events
        self.links = links
        self.error = error
    }
}
