import HTTP
import Tracing

/// What the application learned while answering, for its access log and its traces: named values it attaches
/// with `Responder.annotate` (a later value replaces an earlier one of the same name, in place). The server
/// carries them to the exchange's record and reads none of them: it knows HTTP, not what a handler did.
public struct ExchangeNote: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Int)
    }

    /// In the order they were first attached.
    public private(set) var values: [(name: String, value: Value)]
    /// The request's server span, when it is traced.
    public var trace: ExchangeTrace?

    public init(_ values: [(name: String, value: Value)] = [], trace: ExchangeTrace? = nil) {
        self.values = []
        self.trace = trace
        for (name, value) in values { set(name, value) }
    }

    public subscript(name: String) -> Value? { values.first { $0.name == name }?.value }

    public func text(_ name: String) -> String? {
        if case .text(let text)? = self[name] { return text }
        return nil
    }

    public func number(_ name: String) -> Int? {
        if case .number(let number)? = self[name] { return number }
        return nil
    }

    /// Attaches `value` under `name` (replacing one there); nil attaches nothing.
    public mutating func set(_ name: String, _ value: Value?) {
        guard let value else { return }
        if let index = values.firstIndex(where: { $0.name == name }) {
            values[index].value = value
        } else {
            // A handler attaches a handful: one allocation for them all.
            if values.isEmpty { values.reserveCapacity(8) }
            values.append((name, value))
        }
    }

    /// This note with `other`'s values laid over it (later annotations win).
    func merged(with other: ExchangeNote) -> ExchangeNote {
        var merged = self
        for (name, value) in other.values { merged.set(name, value) }
        merged.trace = other.trace ?? trace
        return merged
    }

    public static func == (lhs: ExchangeNote, rhs: ExchangeNote) -> Bool {
        lhs.trace == rhs.trace && lhs.values.elementsEqual(rhs.values) { $0.name == $1.name && $0.value == $1.value }
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
