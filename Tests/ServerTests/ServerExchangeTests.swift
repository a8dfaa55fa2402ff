import Testing

/// Ordinary exchanges on a live socket: routing, persistence, pipelining, interim responses.
@Suite struct ServerExchangeTests {
    @Test func pipelinedResponsesComeBackInRequestOrder() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        // The first answer comes late from another thread; the two behind it must wait for it.
        client.send(
            "GET /slow?ms=150 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nping"
        )
        #expect(try client.readResponse().text == "{\"slow\":true}")
        #expect(try client.readResponse().text == "{\"id\":\"1\"}")
        #expect(try client.readResponse().text == "ping")
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        for index in 0..<50 {
            client.send("GET /items/\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "{\"id\":\"\(index)\"}")
            #expect(response.header("Connection") == nil)
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("Connection") == "close")
        #expect(client.isClosedByPeer())
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let server = try TestServer()
        defer { server.stop() }
        let plain = try RawClient(port: server.port)
        plain.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try plain.readResponse().status == 200)
        #expect(plain.isClosedByPeer())

        let persistent = try RawClient(port: server.port)
        persistent.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try persistent.readResponse().header("Connection") == "keep-alive")
        persistent.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try persistent.readResponse().status == 200)
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        client.send("hello")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "hello")
    }

    @Test func expectContinueOverTheBodyLimitGets413Instead() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 10 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        #expect(try client.readResponse().status == 413)
    }

    @Test func chunkedRequestBodyIsDecoded() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n")
        #expect(try client.readResponse().text == "Wikipedia")
    }

    @Test func headGetsTheHeadOfGetWithoutABody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /items/7 HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(bodyExpected: false)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "14")
        // The next response starts right after the head: no body bytes were sent for HEAD.
        #expect(try client.readResponse().text == "{\"id\":\"7\"}")
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        let missing = try client.readResponse()
        #expect(missing.status == 404)
        #expect(missing.text.contains("\"type\":\"not_found\""))
        client.send("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let wrong = try client.readResponse()
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, HEAD")
        #expect(wrong.text.contains("\"type\":\"method_not_allowed\""))
        #expect(wrong.text.contains("\"request_id\":\"\(wrong.header("X-Request-ID")!)\""))
    }

    @Test func pathParametersArePercentDecodedAndTheTemplateIsKept() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /items/a%20b HTTP/1.1\r\nHost: x\r\n\r\nGET /route HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().text == "{\"id\":\"a b\"}")
        #expect(try client.readResponse().text == "/route")
    }

    @Test func absoluteFormTargetIsRouted() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET http://example.com/items/9?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(try client.readResponse().text == "{\"id\":\"9\"}")
    }

    @Test func saneRequestIDIsEchoedAndAnInsaneOneReplaced() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-ID: trace-123\r\n\r\n")
        #expect(try client.readResponse().header("X-Request-ID") == "trace-123")
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-ID: \(String(repeating: "a", count: 129))\r\n\r\n")
        let replaced = try client.readResponse().header("X-Request-ID")
        #expect(replaced?.count == 32)
    }

    @Test func responsesCarryDateAndServer() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("Date")?.hasSuffix(" GMT") == true)
        #expect(response.header("Server") == "agentd")
    }
}
