/// What the server calls with each request. It answers through the responder, now or later, from any thread.
///
/// `handle` runs on an event loop: it must not block. Work that may block (an upstream call, a disk
/// write) is handed elsewhere and answers through the responder when done.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest, responder: Responder)
}
