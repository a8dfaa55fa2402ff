import CAgentdSystem
import Foundation
import Glibc
import HTTP
import Synchronization
import Locks

/// Something registered with an event loop: a listener or a connection.
/// Owner: the loop; every method is called on the loop's thread.
protocol EventSource: AnyObject {
    func handle(events: UInt32)
    /// Called about every `EventLoop.sweepIntervalNs` with the loop's clock, to enforce deadlines.
    func checkDeadline(now: UInt64)
}

/// One thread running epoll over non-blocking sockets.
///
/// Owner: its own thread owns everything but `inbox` and the wake flag. Other threads reach the loop
/// only through `execute`, which queues a closure under a lock and wakes the loop through an eventfd.
/// It never blocks but in `epoll_wait`; deadlines are enforced by a sweep every tenth of a second.
public final class EventLoop: @unchecked Sendable {
    static let sweepIntervalNs: UInt64 = 100_000_000
    private static let wakeToken = UInt64.max
    /// Guests' descriptors are registered as `guestTokenBase + index`.
    private static let guestTokenBase = UInt64.max - 64

    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    /// Work for the loop, and whether the loop has stopped; one lock, so no work slips in after the last drain.
    private struct Inbox {
        var work: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let inbox = Locked<Inbox>(Inbox())
    private let wakePending = Atomic<Bool>(false)
    private let threadID = Atomic<UInt>(0)
    private let finished = DispatchSemaphore(value: 0)
    /// Once the loop has stopped, late work runs here, serially, so a responder that outlives the server
    /// still hears back (its connection is closed by then) instead of waiting forever.
    private let afterStop = DispatchQueue(label: "agentd.loop.stopped")

    // Loop-only state.
    /// Indexed by fd, with the generation the fd was registered under: an event still queued for a closed
    /// fd must not reach a newer connection that reused the number.
    private var sources: [(source: EventSource, generation: UInt32)?] = []
    private var nextGeneration: UInt32 = 0
    private var guests: [EventLoopGuest] = []
    private var running = true
    private var lastSweepNs: UInt64 = 0
    /// The loop's clock, read once per wake-up: monotonic nanoseconds.
    private(set) var nowNs: UInt64 = agentd_monotonic_ns()
    private var dateSecond: Int64 = 0
    /// The current `Date` header value, rendered once a second.
    private(set) var dateBytes: [UInt8] = []
    var requestIDs = RequestIDGenerator()

    init(index: Int) throws(SocketError) {
        self.index = index
        epollFD = agentd_epoll_create()
        guard epollFD >= 0 else { throw SocketError.last("epoll_create1") }
        wakeFD = agentd_eventfd()
        guard wakeFD >= 0 else {
            close(epollFD)
            throw SocketError.last("eventfd")
        }
        guard agentd_epoll_add(epollFD, wakeFD, agentd_EPOLLIN, EventLoop.wakeToken) == 0 else {
            close(epollFD)
            close(wakeFD)
            throw SocketError.last("epoll_ctl")
        }
        refreshDate()
    }

    deinit {
        close(epollFD)
        close(wakeFD)
    }

    /// Whether the caller is running on this loop's thread.
    public var inEventLoop: Bool { threadID.load(ordering: .acquiring) == pthread_self() }

    /// Runs `work` on the loop's thread, soon. Safe from any thread.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        let queued = inbox.withLock { inbox -> Bool in
            if inbox.stopped { return false }
            inbox.work.append(work)
            return true
        }
        guard queued else {
            afterStop.async(execute: work)
            return
        }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            _ = agentd_eventfd_signal(wakeFD)
        }
    }

    /// Runs `work` now when already on the loop, else queues it.
    public func run(_ work: @escaping @Sendable () -> Void) {
        if inEventLoop { work() } else { execute(work) }
    }

    /// Starts the loop's thread.
    func start() {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "agentd-loop-\(index)"
        thread.start()
    }

    /// Asks the loop to stop after closing every source, and waits for its thread to end.
    func stopAndWait() {
        execute { [self] in
            for entry in sources { (entry?.source as? Connection)?.abort() }
            for entry in sources { (entry?.source as? Listener)?.close() }
            running = false
        }
        finished.wait()
        let late = inbox.withLock { inbox -> [@Sendable () -> Void] in
            inbox.stopped = true
            defer { inbox.work.removeAll() }
            return inbox.work
        }
        for work in late { afterStop.async(execute: work) }
    }

    /// Runs `guest` on this loop's thread from now on (see `EventLoopGuest`). Safe from any thread.
    public func host(_ guest: EventLoopGuest) {
        execute { [self] in
            guard running, guests.count < 64 else {
                guest.stopNow()
                return
            }
            guard agentd_epoll_add(epollFD, guest.pollFD, agentd_EPOLLIN, EventLoop.guestTokenBase + UInt64(guests.count)) == 0 else {
                guest.stopNow()
                return
            }
            guest.adoptCurrentThread()
            guests.append(guest)
            guest.runPass()
        }
    }

    // MARK: Registration (loop-only)

    func register(_ source: EventSource, fd: Int32, events: UInt32) throws(SocketError) {
        if Int(fd) >= sources.count { sources += Array(repeating: nil, count: Int(fd) + 64 - sources.count) }
        nextGeneration &+= 1
        guard agentd_epoll_add(epollFD, fd, events, token(fd: fd, generation: nextGeneration)) == 0 else {
            throw SocketError.last("epoll_ctl(ADD)")
        }
        sources[Int(fd)] = (source, nextGeneration)
    }

    func modify(fd: Int32, events: UInt32) {
        guard let entry = sources[Int(fd)] else { return }
        _ = agentd_epoll_modify(epollFD, fd, events, token(fd: fd, generation: entry.generation))
    }

    private func token(fd: Int32, generation: UInt32) -> UInt64 { UInt64(generation) << 32 | UInt64(UInt32(fd)) }

    /// Removes `fd` from the loop; the caller closes it afterwards.
    func deregister(fd: Int32) {
        _ = agentd_epoll_delete(epollFD, fd)
        if Int(fd) < sources.count { sources[Int(fd)] = nil }
    }

    /// Every live source of a kind, for shutdown steps.
    func forEachSource<T>(of type: T.Type, _ body: (T) -> Void) {
        for case let source as T in sources.lazy.compactMap({ $0?.source }) { body(source) }
    }

    // MARK: The loop

    private func runLoop() {
        threadID.store(pthread_self(), ordering: .releasing)
        let capacity = 256
        let events = UnsafeMutablePointer<agentd_event>.allocate(capacity: capacity)
        defer {
            events.deallocate()
            finished.signal()
        }
        while running {
            let count = agentd_epoll_wait(epollFD, events, Int32(capacity), waitTimeoutMs())
            nowNs = agentd_monotonic_ns()
            refreshDate()
            var guestsReady = false
            if count > 0 {
                for offset in 0..<Int(count) {
                    let event = events[offset]
                    if event.token == EventLoop.wakeToken {
                        _ = agentd_eventfd_drain(wakeFD)
                        wakePending.store(false, ordering: .releasing)
                        runPending()
                    } else if event.token >= EventLoop.guestTokenBase {
                        guestsReady = true
                    } else {
                        let fd = Int(event.token & 0xFFFF_FFFF)
                        if fd < sources.count, let entry = sources[fd], entry.generation == UInt32(event.token >> 32) {
                            entry.source.handle(events: event.events)
                        }
                    }
                }
            }
            // After the connections: a handler that just started a transfer has it begun in this same pass.
            for guest in guests where guestsReady || guest.nextDeadlineNs <= nowNs { guest.runPass() }
            if nowNs &- lastSweepNs >= EventLoop.sweepIntervalNs {
                lastSweepNs = nowNs
                for case let entry? in sources { entry.source.checkDeadline(now: nowNs) }
            }
        }
        runPending()
        for guest in guests { guest.stopNow() }
        guests.removeAll()
    }

    /// The sweep interval, or less when a guest wants a pass sooner.
    private func waitTimeoutMs() -> Int32 {
        var timeoutNs = EventLoop.sweepIntervalNs
        if !guests.isEmpty {
            let now = agentd_monotonic_ns()
            for guest in guests {
                let deadline = guest.nextDeadlineNs
                timeoutNs = min(timeoutNs, deadline > now ? deadline - now : 0)
            }
        }
        return Int32((timeoutNs + 999_999) / 1_000_000)
    }

    private func runPending() {
        let work = inbox.withLock { inbox -> [@Sendable () -> Void] in
            let taken = inbox.work
            inbox.work.removeAll(keepingCapacity: true)
            return taken
        }
        for item in work { item() }
    }

    private func refreshDate() {
        let second = agentd_realtime_seconds()
        guard second != dateSecond else { return }
        dateSecond = second
        dateBytes = Array(HTTPDate.imfFixdate(unixSeconds: second).utf8)
    }
}
