import Foundation
import Glibc

/// One HTTP/1.1 response as a test sees it: status, headers in order, and the body.
struct HTTPTestResponse: Sendable {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    /// Every value of a header, matched without regard to case (RFC 9110 §5.1).
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    func header(_ name: String) -> String? { values(name).first }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object, or nil when it is not one.
    var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

enum HTTPTestClientError: Error, CustomStringConvertible {
    case system(call: String, errno: Int32)
    case malformed(String)

    var description: String {
        switch self {
        case .system(let call, let code): return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .malformed(let what): return "malformed response: \(what)"
        }
    }
}

/// A tiny blocking HTTP/1.1 client over a raw socket on 127.0.0.1: one request per connection
/// (`Connection: close`), the response read to its `Content-Length` or to end of file.
///
/// Deliberately small and strict: it sends exactly the bytes a test asks for and reports what came back,
/// so a test sees agentd's behaviour and not a client library's. Every socket call is bounded by `timeoutMs`.
enum HTTPTestClient {
    static func send(
        _ method: String, _ path: String, port: Int, headers: [(String, String)] = [], body: [UInt8] = [],
        timeoutMs: Int = 2000
    ) throws(HTTPTestClientError) -> HTTPTestResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let socket = try LoopbackPort.connect(port: port, timeoutMs: timeoutMs)
        defer { close(socket) }
        try write(Array(head.utf8) + body, to: socket)
        return try readResponse(from: socket, headOnly: method == "HEAD")
    }

    /// GETs `path` and reads the answer as it streams until `marker` has arrived, then hangs up: true when it
    /// came within `timeoutMs` (a condition to wait on instead of a fixed sleep, e.g. "the stream has sent text").
    static func readUntil(_ marker: String, get path: String, port: Int, timeoutMs: Int = 10_000) throws(HTTPTestClientError) -> Bool {
        let head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
        let socket = try LoopbackPort.connect(port: port, timeoutMs: timeoutMs)
        defer { close(socket) }
        try write(Array(head.utf8), to: socket)
        let wanted = Array(marker.utf8)
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            received += buffer[..<count]
            if received.count >= wanted.count, (0...(received.count - wanted.count)).contains(where: { received[$0..<($0 + wanted.count)].elementsEqual(wanted) }) {
                return true
            }
        }
        return false
    }

    private static func write(_ bytes: [UInt8], to socket: Int32) throws(HTTPTestClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw .system(call: "send", errno: errno)
            }
            offset += sent
        }
    }

    private static func readResponse(from socket: Int32, headOnly: Bool) throws(HTTPTestClientError) -> HTTPTestResponse {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let response = try parse(received, headOnly: headOnly, complete: false) { return response }
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(call: "recv", errno: errno)  // EAGAIN: SO_RCVTIMEO passed
            }
            if count == 0 {
                guard let response = try parse(received, headOnly: headOnly, complete: true) else {
                    throw .malformed("connection closed after \(received.count) bytes")
                }
                return response
            }
            received.append(contentsOf: buffer[0..<count])
        }
    }

    /// The response in `bytes`, or nil when more bytes are needed. `complete`: the peer closed the connection.
    private static func parse(_ bytes: [UInt8], headOnly: Bool, complete: Bool) throws(HTTPTestClientError) -> HTTPTestResponse? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = bytes.firstRange(of: separator) else { return nil }
        let head = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let statusParts = statusLine.split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw .malformed("status line \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header line \(line)") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((String(line[..<colon]), value))
        }
        let bodyStart = headEnd.upperBound
        let declared = headers.first { $0.name.lowercased() == "content-length" }?.value
        let length: Int
        if headOnly || status == 204 || status == 304 {
            length = 0
        } else if let declared {
            guard let value = Int(declared), value >= 0 else { throw .malformed("Content-Length: \(declared)") }
            length = value
        } else {
            guard complete else { return nil }  // no length: the body runs to the end of the connection
            length = bytes.count - bodyStart
        }
        guard bytes.count - bodyStart >= length else {
            if complete { throw .malformed("body cut at \(bytes.count - bodyStart) of \(length) bytes") }
            return nil
        }
        return HTTPTestResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + length)]))
    }
}

/// Loopback sockets for the tests: a connected client, and a port nobody listens on (yet).
enum LoopbackPort {
    /// A port the kernel just handed out for 127.0.0.1 and that is free again once this returns.
    static func free() throws(HTTPTestClientError) -> Int {
        let socket = try makeSocket()
        defer { close(socket) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw .system(call: "bind", errno: errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else { throw .system(call: "getsockname", errno: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A blocking socket connected to 127.0.0.1:`port`, whose sends and receives time out after `timeoutMs`.
    static func connect(port: Int, timeoutMs: Int) throws(HTTPTestClientError) -> Int32 {
        let socket = try makeSocket()
        var timeout = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(socket)
            throw .system(call: "connect to 127.0.0.1:\(port)", errno: code)
        }
        return socket
    }

    /// Close-on-exec, so an agentd started by a test running in parallel does not inherit it.
    private static func makeSocket() throws(HTTPTestClientError) -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw .system(call: "socket", errno: errno) }
        return socket
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
