/// How the body of a request is delimited (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// A parsed request line and header section, with the framing decisions already made.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    /// The request-target exactly as received.
    public var target: String
    /// The path of the target, without its query; "*" for an asterisk-form OPTIONS request,
    /// the authority for CONNECT.
    public var path: String
    /// The query of the target without its "?", or nil when there is none.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool
    public var framing: HTTPBodyFraming
    /// The client sent `Expect: 100-continue` and waits for an interim response before its body.
    public var expectsContinue: Bool

    public init(
        method: HTTPMethod, target: String, path: String, query: String?, version: HTTPVersion,
        headers: HTTPHeaders, keepAlive: Bool, framing: HTTPBodyFraming, expectsContinue: Bool
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.framing = framing
        self.expectsContinue = expectsContinue
    }
}
