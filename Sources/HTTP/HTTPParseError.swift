/// Why a request could not be read. Every case ends the connection after its error response:
/// once framing is in doubt, nothing after it on the connection can be trusted (RFC 9112 §11.2).
public enum HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A syntax or framing error; the text says what was wrong, for the error body and the log.
    case malformed(String)
    case requestLineTooLong
    case headersTooLarge
    case bodyTooLarge
    /// A transfer coding other than chunked was applied (RFC 9112 §6.1).
    case unsupportedTransferCoding(String)
    case unsupportedVersion(HTTPVersion)
    case unsupportedExpectation(String)

    public var status: HTTPStatus {
        switch self {
        case .malformed: return .badRequest
        case .requestLineTooLong: return .uriTooLong
        case .headersTooLarge: return .headersTooLarge
        case .bodyTooLarge: return .payloadTooLarge
        case .unsupportedTransferCoding: return .notImplemented
        case .unsupportedVersion: return .httpVersionNotSupported
        case .unsupportedExpectation: return .expectationFailed
        }
    }

    /// agentd's error type for this status (docs/api.md, Errors).
    public var errorType: String {
        switch self {
        case .malformed, .unsupportedTransferCoding, .unsupportedVersion, .unsupportedExpectation:
            return "invalid_request"
        case .requestLineTooLong: return "uri_too_long"
        case .headersTooLarge: return "headers_too_large"
        case .bodyTooLarge: return "payload_too_large"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let reason): return reason
        case .requestLineTooLong: return "request line too long"
        case .headersTooLarge: return "request header fields too large"
        case .bodyTooLarge: return "request body too large"
        case .unsupportedTransferCoding(let coding): return "unsupported transfer coding \(coding)"
        case .unsupportedVersion(let version): return "unsupported protocol version \(version)"
        case .unsupportedExpectation(let value): return "unsupported expectation \(value)"
        }
    }
}
