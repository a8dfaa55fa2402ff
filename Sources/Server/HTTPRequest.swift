import HTTP
import Tracing

/// A whole request as handlers see it: the parsed head, the decoded body, and what the server knows of it.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// The request id: the client's `X-Request-ID` when it is sane, else one the server made.
    public var id: String
    /// The peer's IP address as text.
    public var remoteAddress: String
    /// The matched route's template (`/tasks/{id}`), once a router has resolved it; nil before.
    public var route: String?
    /// Path parameters of the matched route, percent-decoded.
    public var parameters: [String: String]
    /// What the application attached to the request on its way to the handler (agentd: who the client is and
    /// its budget reservation); the server never reads it, it only carries it with the request.
    public var application: (any Sendable)?
    /// The request's own span when it is traced: what goes on to providers, tools and tasks as `traceparent`.
    public var trace: TraceContext?

    public init(
        head: HTTPRequestHead, body: [UInt8] = [], id: String, remoteAddress: String = "",
        route: String? = nil, parameters: [String: String] = [:]
    ) {
        self.head = head
        self.body = body
        self.id = id
        self.remoteAddress = remoteAddress
        self.route = route
        self.parameters = parameters
    }

    public var method: HTTPMethod { head.method }
    public var path: String { head.path }
    public var headers: HTTPHeaders { head.headers }

    /// The `traceparent` to pass on: the request's own span when traced, else the caller's header as it came.
    public var traceparent: String? { trace?.traceparent ?? head.headers["traceparent"] }

    /// The decoded query parameters (last one wins), `+` read as a space as HTML forms send it.
    public var queryParameters: [String: String] {
        guard let query = head.query, !query.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(parts[0], plusAsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? (PercentDecoding.decode(parts[1], plusAsSpace: true) ?? String(parts[1])) : ""
            result[name] = value
        }
        return result
    }
}

/// Percent-decoding of URI components (RFC 3986 §2.1). Invalid escapes or non-UTF-8 results give nil.
public enum PercentDecoding {
    public static func decode<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x37
        case 0x61...0x66: return byte - 0x57
        default: return nil
        }
    }
}
