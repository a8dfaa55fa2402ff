import CAgentdSystem
import Glibc
import Locks
import Synchronization

/// One pipelined connection to Redis, driven by one owner thread: an event loop's, as a guest (the loop
/// watches `pollFD` and calls `runPass()`), or a thread of its own (`RedisGuestThread`).
///
/// Owner: the owner thread owns the transport, the buffers and the queue of commands waiting for replies;
/// other threads reach it only through `inbox` (under its lock) and the wake eventfd, as the transfer engine
/// does. Commands sent on the owner thread skip the inbox and are written in the same loop pass
/// (`nextDeadlineNs` is 0 while output waits).
///
/// Replies come back in order (RESP is request/response per connection), so the waiting commands are a FIFO.
/// Every command has a deadline (`timeoutNs`); when the oldest misses it, Redis is taken for unresponsive:
/// every waiting command fails with `.timeout`, the connection is dropped, and the client's connector
/// reconnects it. While there is no connection, a command fails at once with `.unavailable`: nothing waits
/// for Redis to come back. Connecting (DNS, TCP, TLS, HELLO) is the connector thread's work, never the loop's:
/// a ready transport is handed over with `adopt`.
public final class RedisConnection: @unchecked Sendable {
    public typealias Completion = @Sendable (Result<RESPValue, RedisError>) -> Void

    struct Waiting {
        let completion: Completion
        let operation: String
        let startedNs: UInt64
    }

    private struct Inbox {
        var commands: [(bytes: [UInt8], waiting: Waiting)] = []
        var adopted: RedisTransport?
        var stopped = false
    }

    static let readChunkBytes = 16 << 10
    static let socketToken: UInt64 = 1
    private static let wakeToken: UInt64 = 2

    public let index: Int
    let timeoutNs: UInt64
    let limits: RESPParserLimits
    /// Told when this connection is lost (so it reconnects) and of every finished command (for metrics).
    weak var client: RedisClient?

    private let inbox = Locked(Inbox())
    private let wakePending = Atomic<Bool>(false)
    private let owner = Atomic<UInt>(0)
    private let ready = Atomic<Bool>(false)
    private let epollFD: Int32
    private let wakeFD: Int32

    // Owner-thread state.
    var transport: RedisTransport?
    var output: [UInt8] = []
    var outputStart = 0
    var input: [UInt8] = []
    var inputStart = 0
    var inputEnd = 0
    var waiting: [Waiting] = []
    var waitingHead = 0
    /// Deadlines of the waiting commands, parallel to `waiting`.
    var deadlines: [UInt64] = []
    var watchingWritable = false
    var stopped = false
    /// Work to run at the end of this pass, before the output is written (`atEndOfPass`).
    var endOfPass: [() -> Void] = []

    init(index: Int, timeoutMs: Int, limits: RESPParserLimits) throws(RedisError) {
        self.index = index
        timeoutNs = UInt64(timeoutMs) * 1_000_000
        self.limits = limits
        epollFD = agentd_epoll_create()
        wakeFD = agentd_eventfd()
        guard epollFD >= 0, wakeFD >= 0, agentd_epoll_add(epollFD, wakeFD, agentd_EPOLLIN, RedisConnection.wakeToken) == 0 else {
            throw .unavailable(reason: "cannot create the connection's epoll instance: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        transport?.close()
        close(epollFD)
        close(wakeFD)
    }

    /// Readable when the connection has work: its socket or its inbox.
    public var pollFD: Int32 { epollFD }

    /// Whether a transport is in place (from any thread; a hint: it may drop a moment later).
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    public var isOwnerThread: Bool { owner.load(ordering: .relaxed) == pthread_self() }

    public func adoptCurrentThread() { owner.store(pthread_self(), ordering: .releasing) }

    /// At once while output waits to be written; else the oldest command's deadline; else never.
    public var nextDeadlineNs: UInt64 {
        if !endOfPass.isEmpty || (outputStart < output.count && !watchingWritable) { return 0 }
        return waitingHead < deadlines.count ? deadlines[waitingHead] : .max
    }

    /// Sends one encoded command; `completion` runs once, on the owner thread (or at once, on the caller's
    /// thread, when there is no connection).
    func send(_ bytes: [UInt8], operation: String, completion: @escaping Completion) {
        let item = Waiting(completion: completion, operation: operation, startedNs: agentd_monotonic_ns())
        guard ready.load(ordering: .acquiring) else {
            completion(.failure(.unavailable(reason: client?.lastFailure ?? "not connected")))
            return
        }
        if isOwnerThread {
            enqueue(bytes, item)
            return
        }
        let queued = inbox.withLock { inbox -> Bool in
            guard !inbox.stopped else { return false }
            inbox.commands.append((bytes, item))
            return true
        }
        guard queued else {
            completion(.failure(.unavailable(reason: "the redis client stopped")))
            return
        }
        wake()
    }

    /// Hands over a connected transport (from the connector thread).
    func adopt(_ newTransport: RedisTransport) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopped else { return false }
            inbox.adopted = newTransport
            return true
        }
        guard accepted else {
            newTransport.close()
            return
        }
        wake()
    }

    func markNotReady() { ready.store(false, ordering: .releasing) }

    private func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) { _ = agentd_eventfd_signal(wakeFD) }
    }

    // MARK: The owner's pass

    /// Does whatever is ready without blocking: a handed-over transport, queued commands, replies, output,
    /// and the deadline of the oldest waiting command.
    public func runPass() {
        guard !stopped else { return }
        takeInbox()
        if transport != nil { readReplies() }
        while !endOfPass.isEmpty {
            let work = endOfPass
            endOfPass.removeAll()
            for item in work { item() }
        }
        if transport != nil { flush() }
        if waitingHead < deadlines.count && deadlines[waitingHead] <= agentd_monotonic_ns() {
            drop(failing: .timeout(milliseconds: Int(timeoutNs / 1_000_000)), reason: "a command waited longer than \(timeoutNs / 1_000_000) ms")
        }
    }

    /// Ends the connection for good (its host loop stops, or the client does): everything waiting fails.
    public func stopNow() {
        guard !stopped else { return }
        let queued = inbox.withLock { inbox -> (commands: [(bytes: [UInt8], waiting: Waiting)], adopted: RedisTransport?) in
            inbox.stopped = true
            defer { inbox.commands.removeAll(); inbox.adopted = nil }
            return (inbox.commands, inbox.adopted)
        }
        queued.adopted?.close()
        drop(failing: .unavailable(reason: "the redis client stopped"), reason: nil)
        stopped = true
        for command in queued.commands { command.waiting.completion(.failure(.unavailable(reason: "the redis client stopped"))) }
    }

    private func takeInbox() {
        _ = agentd_eventfd_drain(wakeFD)
        wakePending.store(false, ordering: .releasing)
        let (commands, adopted) = inbox.withLock { inbox -> ([(bytes: [UInt8], waiting: Waiting)], RedisTransport?) in
            defer { inbox.commands.removeAll(keepingCapacity: true); inbox.adopted = nil }
            return (inbox.commands, inbox.adopted)
        }
        if let adopted { install(adopted) }
        for command in commands {
            if transport == nil {
                command.waiting.completion(.failure(.unavailable(reason: client?.lastFailure ?? "not connected")))
            } else {
                enqueue(command.bytes, command.waiting)
            }
        }
    }

    private func enqueue(_ bytes: [UInt8], _ item: Waiting) {
        guard transport != nil else {
            item.completion(.failure(.unavailable(reason: client?.lastFailure ?? "not connected")))
            return
        }
        output += bytes
        waiting.append(item)
        deadlines.append(item.startedNs &+ timeoutNs)
    }

    private func install(_ newTransport: RedisTransport) {
        if transport != nil { drop(failing: .unavailable(reason: "replaced by a new connection"), reason: nil) }
        guard agentd_epoll_add(epollFD, newTransport.fd, agentd_EPOLLIN | agentd_EPOLLRDHUP, RedisConnection.socketToken) == 0 else {
            newTransport.close()
            client?.connectionLost(self, reason: "epoll_ctl: \(String(cString: strerror(errno)))")
            return
        }
        transport = newTransport
        watchingWritable = false
        ready.store(true, ordering: .releasing)
        client?.connectionReady(self)
    }
}
