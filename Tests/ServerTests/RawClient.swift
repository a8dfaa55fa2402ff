import CAgentdSystem
import Glibc

/// A blocking test client on a raw socket: sends exact bytes, reads exact responses.
/// Every read is bounded by a receive timeout, so no test can hang on a silent server.
/// Sendable only so one thread may send while another reads, as a slow client test needs; `buffer` is the reader's.
final class RawClient: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum ClientError: Error { case connectFailed(Int32), timedOut, closed, malformed(String) }

    let fd: Int32
    /// Received bytes; those before `start` are consumed.
    private var storage: [UInt8] = []
    private var start = 0
    private var buffer: ArraySlice<UInt8> { storage[start...] }

    init(port: Int, receiveTimeoutMs: Int = 5000) throws {
        fd = agentd_connect_tcp("127.0.0.1", Int32(port))
        guard fd >= 0 else { throw ClientError.connectFailed(errno) }
        var timeout = timeval(tv_sec: receiveTimeoutMs / 1000, tv_usec: (receiveTimeoutMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { agentd_send(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Reads more bytes; 0 on EOF or reset. Throws on the receive timeout.
    @discardableResult
    func readMore() throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timedOut }
            return 0
        }
        if start > 1 << 20 {
            storage.removeFirst(start)
            start = 0
        }
        storage += chunk[0..<count]
        return count
    }

    /// Whether the server closed the connection (EOF or reset) with nothing more to read.
    func isClosedByPeer() -> Bool {
        while true {
            guard let count = try? readMore() else { return false }
            if count == 0 { return buffer.isEmpty }
        }
    }

    /// Everything until the server closes.
    func readToEnd() throws -> [UInt8] {
        while try readMore() > 0 {}
        defer { consume(buffer.count) }
        return Array(buffer)
    }

    /// Reads one response (an interim 1xx one counts). `bodyExpected: false` for answers to HEAD.
    func readResponse(bodyExpected: Bool = true) throws -> Response {
        var headEnd = findHeadEnd()
        while headEnd == nil {
            if try readMore() == 0 { throw ClientError.closed }
            headEnd = findHeadEnd()
        }
        let headText = String(decoding: buffer.prefix(headEnd!), as: UTF8.self)
        consume(headEnd! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError.malformed(headText) }
        let headers = lines.map { line -> (name: String, value: String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : "")
        }
        var response = Response(status: status, headers: headers, body: [])
        if status < 200 || !bodyExpected || status == 204 || status == 304 { return response }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            while buffer.count < length { if try readMore() == 0 { throw ClientError.closed } }
            response.body = Array(buffer.prefix(length))
            consume(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunkedBody()
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    /// Reads the head of a response only, leaving its body unread.
    func readHead() throws -> Response {
        var headEnd = findHeadEnd()
        while headEnd == nil {
            if try readMore() == 0 { throw ClientError.closed }
            headEnd = findHeadEnd()
        }
        let headText = String(decoding: buffer.prefix(headEnd!), as: UTF8.self)
        consume(headEnd! + 4)
        let status = Int(headText.split(separator: " ")[1]) ?? 0
        return Response(status: status, headers: [], body: [])
    }

    func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            guard let size = Int(line.split(separator: ";")[0], radix: 16) else { throw ClientError.malformed(line) }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            while buffer.count < size + 2 { if try readMore() == 0 { throw ClientError.closed } }
            body += buffer.prefix(size)
            consume(size + 2)
        }
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.indices.dropLast().first(where: { storage[$0] == 13 && storage[$0 + 1] == 10 }) {
                let line = String(decoding: storage[start..<index], as: UTF8.self)
                consume(index - start + 2)
                return line
            }
            if try readMore() == 0 { throw ClientError.closed }
        }
    }

    private func consume(_ count: Int) { start += count }

    /// The offset of the blank line ending a head, counted from the first unconsumed byte.
    private func findHeadEnd() -> Int? {
        guard storage.count - start >= 4 else { return nil }
        for index in start...(storage.count - 4)
        where storage[index] == 13 && storage[index + 1] == 10 && storage[index + 2] == 13 && storage[index + 3] == 10 {
            return index - start
        }
        return nil
    }
}

import Foundation
