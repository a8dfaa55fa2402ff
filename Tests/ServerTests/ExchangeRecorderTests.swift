import Dispatch
import HTTP
import Synchronization
import Testing
@testable import Server

/// A router driven in-process: `Responder(recording:)` takes what the handlers answer, streams and cancels
/// included, with no socket (the in-process level of agentd's route tests).
@Suite("the in-process responder")
struct ExchangeRecorderTests {
    static func request(_ method: HTTPMethod, _ target: String, body: [UInt8] = []) throws -> HTTPRequest {
        var parser = HTTPRequestHeadParser()
        let text = "\(method.rawValue) \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n"
        guard case .complete(let head, _) = parser.parse(Array(text.utf8)) else { throw HTTPParseError.malformed("test head") }
        return HTTPRequest(head: head, body: body, id: "req_test", remoteAddress: "127.0.0.1")
    }

    static func send(_ router: Router, _ method: HTTPMethod, _ target: String, body: [UInt8] = []) throws -> ExchangeRecorder.Answer? {
        let recorder = ExchangeRecorder()
        router.handle(try request(method, target, body: body), responder: Responder(recording: recorder))
        return recorder.wait(timeoutMs: 5_000)
    }

    @Test("a whole answer, a later one from another thread, the route template and the router's own 404 and 405")
    func wholeAnswers() throws {
        let router = TestServer.router(TestProbe())
        let echo = try #require(try Self.send(router, .post, "/echo", body: Array("ping".utf8)))
        #expect(echo.status == .ok && echo.body == Array("ping".utf8) && !echo.streamed)
        let item = try #require(try Self.send(router, .get, "/items/42"))
        #expect(String(decoding: item.body, as: UTF8.self) == #"{"id":"42"}"# && item.route == "/items/{id}")
        #expect(try Self.send(router, .get, "/slow?ms=20")?.status == .ok)
        #expect(try Self.send(router, .get, "/nowhere")?.status == .notFound)
        let wrong = try #require(try Self.send(router, .delete, "/hello"))
        #expect(wrong.status == .methodNotAllowed && wrong.headers["Allow"] == "GET, HEAD")
    }

    @Test("a stream: its head, every write in order (each acknowledged), and its end")
    func streams() throws {
        let probe = TestProbe()
        let answer = try #require(try Self.send(TestServer.router(probe), .get, "/stream?count=4&size=3"))
        #expect(answer.streamed && !answer.reset && answer.headers["Content-Type"] == "text/event-stream")
        #expect(answer.body == [UInt8](repeating: 120, count: 12))
        #expect(probe.producedBytes.load(ordering: .relaxed) == 12)
    }

    @Test("a client that goes away: the handler's cancel handler runs, and what it sends afterwards is dropped")
    func cancel() throws {
        let probe = TestProbe()
        let recorder = ExchangeRecorder()
        TestServer.router(probe).handle(try Self.request(.get, "/slow?ms=100"), responder: Responder(recording: recorder))
        recorder.cancel()
        #expect(probe.cancellations.load(ordering: .relaxed) == 1)
        #expect(recorder.wait(timeoutMs: 300) == nil)
    }
}
