import CAgentdSystem
import Glibc
import Foundation
import CAgentdSystem
import Glibc

/// A blocking HTTP/1.1 test client on a raw socket: exact requests, responses read as they come, so a test
/// can time the first byte, read a stream chunk by chunk, or see a reset.
///
/// Owner: one test at a time. Every read is bounded by the socket's receive timeout.
public final class MockHTTPClient {
    public struct Response {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8] = []

        public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        public var text: String { String(decoding: body, as: UTF8.self) }

        public func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw ClientError.malformed("not a JSON object: \(text)")
            }
            return object
        }
    }

    public enum ClientError: Error, Equatable {
        case connectFailed(Int32)
        case timedOut
        /// The server closed the connection (EOF) where more was expected.
        case closed
        /// The connection was reset (ECONNRESET).
        case reset
        case malformed(String)
    }

    public let fd: Int32
    private var buffer: [UInt8] = []

    public init(port: Int, receiveTimeoutMs: Int = 5000) throws {
        fd = agentd_connect_tcp("127.0.0.1", Int32(port))
        guard fd >= 0 else { throw ClientError.connectFailed(errno) }
        var timeout = timeval(tv_sec: receiveTimeoutMs / 1000, tv_usec: (receiveTimeoutMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: String = "") {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { text += "Content-Type: application/json\r\n" }
            text += "Content-Length: \(body.utf8.count)\r\n"
        }
        let bytes = Array((text + "\r\n" + body).utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { agentd_send(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Whether any byte arrives within `timeoutMs` (without consuming it).
    public func hasData(withinMs timeoutMs: Int) -> Bool {
        if !buffer.isEmpty { return true }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, Int32(timeoutMs)) > 0
    }

    /// Reads the status line and header fields.
    public func readHead() throws -> Response {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let text = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                var lines = text.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError.malformed(text) }
                let headers = lines.map { line -> (name: String, value: String) in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
                }
                return Response(status: status, headers: headers)
            }
            try readMore()
        }
    }

    /// One whole response.
    public func readResponse() throws -> Response {
        var response = try readHead()
        if let length = response.header("Content-Length").flatMap(Int.init) {
            while buffer.count < length { try readMore() }
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while let chunk = try nextChunk() { response.body += chunk }
        }
        return response
    }

    /// The next chunk of a chunked body, or nil after the last chunk.
    public func nextChunk() throws -> [UInt8]? {
        let line = try readLine()
        guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else { throw ClientError.malformed(line) }
        if size == 0 {
            while try !readLine().isEmpty {}
            return nil
        }
        while buffer.count < size + 2 { try readMore() }
        let chunk = Array(buffer[0..<size])
        buffer.removeFirst(size + 2)
        return chunk
    }

    /// Reads chunks until the body ends or the connection fails; returns what came and how it ended.
    public func readChunksUntilEnd() -> (body: [UInt8], error: ClientError?) {
        var body: [UInt8] = []
        do {
            while let chunk = try nextChunk() { body += chunk }
            return (body, nil)
        } catch let error as ClientError {
            return (body, error)
        } catch {
            return (body, .malformed("\(error)"))
        }
    }

    private func readLine() throws -> String {
        while true {
            if let end = find([13, 10]) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            try readMore()
        }
    }

    private func readMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count > 0 {
            buffer += chunk[0..<count]
            return
        }
        if count == 0 { throw ClientError.closed }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timedOut }
        if errno == ECONNRESET { throw ClientError.reset }
        throw ClientError.malformed("recv errno \(errno)")
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for index in 0...(buffer.count - pattern.count) where buffer[index] == pattern[0] {
            if Array(buffer[index..<(index + pattern.count)]) == pattern { return index }
        }
        return nil
    }
}

/// Server-Sent Events as the tests read them: `event:` and `data:` lines, events split on blank lines.
public struct SSEEvent {
    public var event: String?
    public var data: String

    public static func parse(_ text: String) -> [SSEEvent] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var event: String?
            var data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty && event == nil ? nil : SSEEvent(event: event, data: data.joined(separator: "\n"))
        }
    }

    public func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else {
            throw MockHTTPClient.ClientError.malformed(data)
        }
        return object
    }
}

/// Request bodies the tests send, built with JSONSerialization so every string is escaped right.
public enum Body {
    public static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    public static func openAI(model: String = "gpt-4o-mini", text: String = "hello there world", extra: [String: Any] = [:]) -> String {
        var object: [String: Any] = ["model": model, "messages": [["role": "user", "content": text]]]
        object.merge(extra) { _, new in new }
        return json(object)
    }

    public static func anthropic(model: String = "claude-3-5-haiku-latest", text: String = "hello there world", extra: [String: Any] = [:]) -> String {
        var object: [String: Any] = ["model": model, "max_tokens": 100, "messages": [["role": "user", "content": text]]]
        object.merge(extra) { _, new in new }
        return json(object)
    }

    public static let anthropicHeaders = [("anthropic-version", "2023-06-01")]
}

/// A JSON value at a path of keys and indexes, for terse assertions.
public func value(_ object: Any?, _ path: Any...) -> Any? {
    var current = object
    for step in path {
        if let key = step as? String { current = (current as? [String: Any])?[key] }
        else if let index = step as? Int { current = (current as? [Any]).flatMap { index < $0.count ? $0[index] : nil } }
    }
    return current
}
