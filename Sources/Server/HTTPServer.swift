import CAgentdSystem
import Dispatch
import Glibc
import HTTP
import Logging
import Synchronization
import Locks

/// An HTTP/1.1 server: one event loop per core, each with its own listener on the same port
/// (SO_REUSEPORT), so the kernel spreads connections and no loop waits on another.
///
/// Owner: none; its loops own their sockets. It offers the primitives a graceful shutdown is made of:
/// stop accepting, close idle keep-alive connections, let in-flight requests finish against a deadline.
public final class HTTPServer: Sendable {
    private let context: ServerContext
    private let loops: [EventLoop]
    /// The port the server listens on (the kernel's choice when the configuration said 0).
    public let port: Int

    /// Binds every loop's listener, then calls `beforeServing` with the port (the kernel's choice for 0), then starts
    /// the loops: what `beforeServing` does (the "listening" line) comes before any connection is served.
    public static func start(
        configuration: ServerConfiguration, handler: HTTPHandler, logger: Logger = Logger(minimumLevel: .warning),
        exchangeObserver: (any ExchangeObserver)? = nil, beforeServing: (_ port: Int) -> Void = { _ in }
    ) throws(SocketError) -> HTTPServer {
        let context = ServerContext(
            configuration: configuration, handler: handler, logger: logger, exchangeObserver: exchangeObserver
        )
        let count = configuration.eventLoopCount > 0 ? configuration.eventLoopCount : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var loops: [EventLoop] = []
        var port = configuration.port
        for index in 0..<count {
            let loop = try EventLoop(index: index)
            if index == 0 && port != 0 {
                // SO_REUSEPORT would let a second server on this port share its traffic silently;
                // a plain bind first makes "address in use" an error, as users expect.
                try probeAddressIsFree(host: configuration.host, port: port)
            }
            let fd = agentd_listen_tcp(configuration.host, Int32(port), Int32(configuration.listenBacklog), 1)
            guard fd >= 0 else {
                if errno == EINVAL { throw SocketError.invalidAddress(configuration.host) }
                throw SocketError.last("bind/listen on \(configuration.host):\(port)")
            }
            if port == 0 { port = Int(agentd_local_port(fd)) }
            try loop.register(Listener(fd: fd, loop: loop, context: context), fd: fd, events: agentd_EPOLLIN)
            loops.append(loop)
        }
        beforeServing(port)
        for loop in loops { loop.start() }
        return HTTPServer(context: context, loops: loops, port: port)
    }

    private init(context: ServerContext, loops: [EventLoop], port: Int) {
        self.context = context
        self.loops = loops
        self.port = port
    }

    private static func probeAddressIsFree(host: String, port: Int) throws(SocketError) {
        let fd = agentd_listen_tcp(host, Int32(port), 1, 0)
        guard fd >= 0 else {
            if errno == EINVAL { throw SocketError.invalidAddress(host) }
            throw SocketError.last("bind/listen on \(host):\(port)")
        }
        close(fd)
    }

    /// The server's loops, for work that should share their threads (`EventLoop.host`).
    public var eventLoops: [EventLoop] { loops }

    public var openConnections: Int { context.openConnections.load(ordering: .relaxed) }
    public var inFlightRequests: Int { context.inFlightRequests.load(ordering: .relaxed) }
    public var rejectedConnections: Int { context.rejectedConnections.load(ordering: .relaxed) }
    public var isDraining: Bool { context.isDraining }

    /// Closes every listener; connections already accepted go on.
    public func stopAccepting() {
        onEveryLoop { loop in loop.forEachSource(of: Listener.self) { $0.close() } }
    }

    /// From now on each response says `Connection: close` and ends its connection.
    public func beginDraining() { context.beginDraining() }

    /// Closes idle keep-alive connections now; busy ones close after their current response.
    public func closeIdleConnections() {
        onEveryLoop { loop in loop.forEachSource(of: Connection.self) { $0.closeIfIdle() } }
    }

    /// Waits until no request is in flight, or the deadline passes. Returns whether it got quiet.
    public func waitForInFlightRequests(timeoutMs: Int) -> Bool {
        let deadline = agentd_monotonic_ns() + UInt64(max(0, timeoutMs)) * 1_000_000
        while inFlightRequests > 0 {
            if agentd_monotonic_ns() >= deadline { return false }
            usleep(5_000)
        }
        return true
    }

    /// The whole graceful stop: stop accepting, drain, let in-flight requests finish within the grace
    /// period, then close whatever is left and stop the loops. Returns whether everything finished in time.
    @discardableResult
    ///
    /// `beforeStoppingLoops` runs once the requests are done (or the grace is over), while the loops still run
    /// (work they host, such as transfer engines, still works), with the milliseconds of grace left.
    public func shutdown(gracePeriodMs: Int, beforeStoppingLoops: (_ remainingMs: Int) -> Void = { _ in }) -> Bool {
        let started = agentd_monotonic_ns()
        stopAccepting()
        beginDraining()
        closeIdleConnections()
        let finished = waitForInFlightRequests(timeoutMs: gracePeriodMs)
        // Let final responses reach their sockets before the loops close them.
        let flushDeadline = min(started + UInt64(gracePeriodMs) * 1_000_000, agentd_monotonic_ns() + 1_000_000_000)
        while openConnections > 0 && agentd_monotonic_ns() < flushDeadline && busyConnections() > 0 {
            usleep(5_000)
        }
        let spentMs = Int((agentd_monotonic_ns() - started) / 1_000_000)
        beforeStoppingLoops(max(0, gracePeriodMs - spentMs))
        for loop in loops { loop.stopAndWait() }
        return finished
    }

    /// Connections with output still to write.
    private func busyConnections() -> Int {
        let count = Locked<Int>(0)
        onEveryLoop { loop in
            var busy = 0
            loop.forEachSource(of: Connection.self) { if $0.pendingOutputBytes > 0 || $0.state == .finishing { busy += 1 } }
            count.withLock { $0 += busy }
        }
        return count.withLock { $0 }
    }

    /// Runs `body` on every loop and waits for all of them.
    private func onEveryLoop(_ body: @escaping @Sendable (EventLoop) -> Void) {
        let group = DispatchGroup()
        for loop in loops {
            group.enter()
            loop.execute {
                body(loop)
                group.leave()
            }
        }
        group.wait()
    }
}
