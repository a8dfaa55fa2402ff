import HTTP

/// What the server calls with each request. It answers through the responder, now or later, from any thread.
///
/// `handle` runs on an event loop: it must not block. Work that may block (an upstream call, a disk
/// write) is handed elsewhere and answers through the responder when done.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest, responder: Responder)
    /// How the server words the errors it answers itself; the default is agentd's body (docs/api.md, Errors).
    var renderError: ErrorRendering { get }
}

/// How the server words an error it answers itself (a body over the limit, a request too slow, no route):
/// `path` is the request's when its head was read, so an API can answer in its own error body.
public typealias ErrorRendering = @Sendable (
    _ path: String?, _ status: HTTPStatus, _ type: String, _ message: String, _ requestID: String, _ headers: HTTPHeaders
) -> HTTPResponse

extension HTTPHandler {
    /// agentd's error body (docs/api.md, Errors), unless the handler words it otherwise.
    public var renderError: ErrorRendering {
        { _, status, type, message, requestID, headers in
            ErrorResponse.make(status, type: type, message: message, requestID: requestID, headers: headers)
        }
    }
}
