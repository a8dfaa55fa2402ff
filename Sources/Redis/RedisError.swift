/// Why a Redis command did not give a reply, in words a log reader can act on.
///
/// The layer's one error type. `unavailable` and `timeout` are about the connection (Redis down, slow or
/// unreachable: the callers' failure policies apply); `server` is Redis' own error reply to the command
/// (`-ERR …`, `-NOSCRIPT …`, `-WRONGPASS …`), a fact about the command or the data; `protocolViolation`
/// means the bytes Redis sent could not be parsed, and the connection they came on was dropped.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection to use: never connected yet, lost, or the client stopped. `reason` is the last failure.
    case unavailable(reason: String)
    /// No reply within the command's deadline (`AGENTD_REDIS_TIMEOUT_MS`).
    case timeout(milliseconds: Int)
    /// Redis answered with an error reply.
    case server(message: String)
    /// The reply could not be parsed, or was larger than the reply limit.
    case protocolViolation(String)
    /// The reply had another shape than the caller's script or command promises.
    case unexpectedReply(String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "redis unavailable: \(reason)"
        case .timeout(let milliseconds): "redis did not answer within \(milliseconds) ms"
        case .server(let message): "redis error: \(message)"
        case .protocolViolation(let detail): "redis protocol violation: \(detail)"
        case .unexpectedReply(let detail): "unexpected redis reply: \(detail)"
        }
    }

    /// The first word of a server error (`NOSCRIPT`, `WRONGPASS`, `NOAUTH`, `ERR`…), upper case.
    public var serverErrorCode: String? {
        guard case .server(let message) = self else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }
}
