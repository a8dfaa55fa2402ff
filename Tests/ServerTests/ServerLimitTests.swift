import Dispatch
import Foundation
import Synchronization
import Testing

/// Each limit of docs/api.md (Size limits, Timeouts), exceeded on a live socket.
@Suite struct ServerLimitTests {
    @Test func requestLineOverLimitIs414() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /" + String(repeating: "a", count: 8200) + " HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 414)
        #expect(response.text.contains("uri_too_long"))
    }

    @Test func requestLineAtLimitIsServed() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let path = "/items/" + String(repeating: "a", count: 8192 - "GET /items/ HTTP/1.1".count)
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }

    @Test func headersOverLimitAre431() throws {
        let server = try TestServer { $0.limits.maxHeaderBytes = 4096 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Filler: 0123456789abcdef\r\n", count: 200) + "\r\n")
        let response = try client.readResponse()
        #expect(response.status == 431)
        #expect(response.text.contains("headers_too_large"))
        #expect(client.isClosedByPeer())
    }

    @Test func contentLengthOverLimitIs413BeforeTheBodyIsSent() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 1000 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.text.contains("payload_too_large"))
        #expect(client.isClosedByPeer())
    }

    @Test func chunkedBodyOverLimitIs413() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 1000 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<3 { client.send("190\r\n" + String(repeating: "b", count: 400) + "\r\n") }
        #expect(try client.readResponse().status == 413)
    }

    @Test func bodyAtLimitIsServed() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 1000 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "c", count: 1000))
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.body.count == 1000)
    }

    /// Slowloris: one header byte a second never completes a head; the deadline is absolute, so the
    /// trickle does not extend it, and other clients are served meanwhile.
    @Test func slowlorisIsCutAtTheHeaderDeadlineWhileOthersAreServed() throws {
        let server = try TestServer { $0.headerTimeoutMs = 2500 }
        defer { server.stop() }
        let slow = try RawClient(port: server.port, receiveTimeoutMs: 8000)
        let started = Date()
        let answeredMeanwhile = Atomic<Int>(0)
        let trickle = DispatchQueue(label: "slowloris")
        let done = DispatchSemaphore(value: 0)
        trickle.async {
            for byte in "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaa".utf8 {
                slow.send([byte])
                // A healthy client meanwhile: served at once.
                if let other = try? RawClient(port: server.port, receiveTimeoutMs: 1000) {
                    other.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                    if (try? other.readResponse().status) == 200 { answeredMeanwhile.add(1, ordering: .relaxed) }
                }
                if Date().timeIntervalSince(started) > 4 { break }
                usleep(1_000_000)
            }
            done.signal()
        }
        let response = try slow.readResponse()
        let elapsed = Date().timeIntervalSince(started)
        #expect(response.status == 408)
        #expect(response.text.contains("request_timeout"))
        #expect(elapsed >= 2.3 && elapsed < 4.0, "cut after \(elapsed) s")
        done.wait()
        #expect(answeredMeanwhile.load(ordering: .relaxed) >= 2)
    }

    @Test func stalledBodyIs408() throws {
        let server = try TestServer { $0.bodyTimeoutMs = 300 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(client.isClosedByPeer())
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let server = try TestServer { $0.idleTimeoutMs = 300 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let started = Date()
        #expect(client.isClosedByPeer())
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func connectionsBeyondTheLimitAreClosedAndExistingOnesWork() throws {
        let server = try TestServer { $0.maxConnections = 3 }
        defer { server.stop() }
        var clients: [RawClient] = []
        for _ in 0..<3 {
            let client = try RawClient(port: server.port)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            clients.append(client)
        }
        let extra = try RawClient(port: server.port)
        extra.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(extra.isClosedByPeer())
        #expect(eventually { server.server.rejectedConnections == 1 })
        for client in clients {
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        // A slot freed is a slot usable again.
        clients.removeLast()
        #expect(eventually { server.server.openConnections == 2 })
        let again = try RawClient(port: server.port)
        again.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try again.readResponse().status == 200)
    }
}
