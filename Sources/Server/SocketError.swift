import Glibc

/// A failed socket or epoll call: which call, and the errno it left.
public enum SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    case failed(call: String, errno: Int32)
    case invalidAddress(String)

    static func last(_ call: String) -> SocketError { .failed(call: call, errno: Glibc.errno) }

    public var description: String {
        switch self {
        case .failed(let call, let code): return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .invalidAddress(let host): return "not an IPv4 or IPv6 address: \(host)"
        }
    }
}
