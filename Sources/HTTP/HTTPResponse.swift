/// A complete response: status, fields and a body of known length.
public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response; `body` is already-encoded JSON text.
    public static func json(_ status: HTTPStatus, _ body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.add("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    public static func json(_ status: HTTPStatus, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        json(status, Array(body.utf8), headers: headers)
    }
}

/// How a response body is delimited on the wire (RFC 9112 §6.3).
public enum HTTPResponseFraming: Sendable, Equatable {
    case contentLength(Int)
    /// Chunked transfer coding: for streams to HTTP/1.1 clients.
    case chunked
    /// Ends when the connection closes: for streams to HTTP/1.0 clients.
    case closeDelimited
}
