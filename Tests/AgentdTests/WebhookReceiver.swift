import Foundation
import Glibc
import Locks

/// A webhook endpoint for tests: a blocking HTTP/1.1 listener on 127.0.0.1 (port 0) that records each request's
/// headers and body and answers 204 (or 503 for the first `failFirst` requests), one connection at a time.
///
/// Owner: its accept thread; what it received sits behind a lock. `stop()` closes the listener (idempotent).
final class WebhookReceiver: @unchecked Sendable {
    struct Received {
        let headers: [String: String]
        let body: [UInt8]
        /// The request target (`/hook`).
        var path = ""
    }

    /// An answer of its own for a request: status, JSON or text body, and how long to wait before sending it.
    typealias Handler = @Sendable (Received) -> (status: Int, body: String, delayMs: Int)

    let port: Int
    private let listener: Int32
    private let received = Locked<[Received]>([])
    private let failFirst: Int
    private let handler: Handler?

    /// `handler`: answers each request (on a thread per connection, so a slow answer holds up no other);
    /// without it, 204 (or 503 for the first `failFirst` requests), one connection at a time.
    init(failFirst: Int = 0, handler: Handler? = nil) throws {
        self.failFirst = failFirst
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw HTTPTestClientError.system(call: "bind/listen", errno: errno) }
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        Thread { [self] in serve() }.start()
    }

    var requests: [Received] { received.withLock { $0 } }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    deinit { close(listener) }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if let handler {
                Thread { [self] in
                    if let request = read(connection) {
                        received.withLock { $0.append(request) }
                        let answer = handler(request)
                        if answer.delayMs > 0 { usleep(UInt32(answer.delayMs) * 1000) }
                        let body = Array(answer.body.utf8)
                        let head = "HTTP/1.1 \(answer.status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
                        let bytes = Array(head.utf8) + body
                        _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    }
                    close(connection)
                }.start()
                continue
            }
            if let request = read(connection) {
                let count = received.withLock { received -> Int in
                    received.append(request)
                    return received.count
                }
                let answer = count <= failFirst ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    : "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                _ = answer.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            }
            close(connection)
        }
    }

    /// One request: its head, then `Content-Length` bytes of body; nil on a malformed or cut request.
    private func read(_ connection: Int32) -> Received? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
                var headers: [String: String] = [:]
                for line in head.components(separatedBy: "\r\n").dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                if bytes.count - end.upperBound >= length {
                    let target = head.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? ""
                    return Received(headers: headers, body: Array(bytes[end.upperBound..<(end.upperBound + length)]), path: target)
                }
            }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            bytes += buffer[0..<count]
        }
    }
}
