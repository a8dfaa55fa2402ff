import CAgentdSystem
import Glibc

/// What one read or write on a transport did.
enum TransportResult: Equatable {
    case transferred(Int)
    /// Nothing now: wait for readiness (for TLS, `wantsWritable` tells which).
    case wouldBlock
    /// The peer closed the connection.
    case closed
    case failed(String)
}

/// The bytes under a Redis connection: a TCP socket, or TLS over one (`TLSTransport`).
///
/// Owner: one thread at a time: the connector thread during the handshake (the socket blocking, with I/O
/// timeouts), then the connection's owner thread (non-blocking). Never shared between two threads at once.
protocol RedisTransport: AnyObject {
    var fd: Int32 { get }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult
    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult
    /// True when the last operation could only go on once the socket is writable (a TLS read that must
    /// first send, or a write that blocked): the connection then also waits for EPOLLOUT.
    var wantsWritable: Bool { get }
    /// Whether a read that returned less than asked took all the socket had (plain TCP: yes; TLS: no, the
    /// library may hold decrypted bytes that epoll cannot see).
    var shortReadDrains: Bool { get }
    /// Closes the socket (after a TLS close_notify where possible); idempotent.
    func close()
}

/// Plain TCP.
final class PlainTransport: RedisTransport {
    let fd: Int32
    let shortReadDrains = true
    private(set) var wantsWritable = false
    private var closed = false

    init(fd: Int32) { self.fd = fd }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .transferred(count) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed("read: \(String(cString: strerror(errno)))")
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        while true {
            let count = agentd_send(fd, bytes.baseAddress, bytes.count)
            if count >= 0 {
                wantsWritable = count < bytes.count
                return .transferred(count)
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                wantsWritable = true
                return .wouldBlock
            default: return .failed("send: \(String(cString: strerror(errno)))")
            }
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}
