import CAgentdSystem
import Glibc

/// A listening socket on one event loop; accepted connections stay on that loop.
/// Owner: its event loop.
final class Listener: EventSource {
    let fd: Int32
    private let loop: EventLoop
    private let context: ServerContext
    private var isOpen = true
    /// Set when accept failed for want of descriptors; accepting resumes after a pause instead of spinning.
    private var pausedUntilNs: UInt64 = 0

    init(fd: Int32, loop: EventLoop, context: ServerContext) {
        self.fd = fd
        self.loop = loop
        self.context = context
    }

    func handle(events: UInt32) {
        var peer = [CChar](repeating: 0, count: 64)
        // Bounded so one busy listener cannot starve the connections already on this loop.
        for _ in 0..<64 {
            let connectionFD = agentd_accept(fd, &peer, Int32(peer.count))
            if connectionFD < 0 {
                let code = errno
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    context.log(.error, "accept failed: out of descriptors or memory; pausing accept", ["errno": "\(code)"])
                    loop.modify(fd: fd, events: 0)
                    pausedUntilNs = loop.nowNs + 100_000_000
                }
                return
            }
            guard context.reserveConnection() else {
                // Over AGENTD_MAX_CONNECTIONS: refuse at once so existing connections keep their share.
                context.rejectedConnections.add(1, ordering: .relaxed)
                Glibc.close(connectionFD)
                continue
            }
            let address = peer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let connection = Connection(fd: connectionFD, loop: loop, context: context, remoteAddress: address)
            connection.open()
        }
    }

    func checkDeadline(now: UInt64) {
        if pausedUntilNs != 0 && now >= pausedUntilNs && isOpen {
            pausedUntilNs = 0
            loop.modify(fd: fd, events: agentd_EPOLLIN)
        }
    }

    func close() {
        guard isOpen else { return }
        isOpen = false
        loop.deregister(fd: fd)
        Glibc.close(fd)
    }
}
