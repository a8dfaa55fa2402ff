import CAgentdSystem
import CCurl
import Foundation
import Synchronization
import Locks

/// Thousands of concurrent upstream HTTP calls on one thread, through libcurl's multi interface.
///
/// Owner: one thread owns the multi handle and every easy handle: all curl calls happen there (libcurl
/// handles are not thread-safe). Either the engine starts a thread of its own, or it is a guest on a thread
/// that already runs an event loop (`startsThread: false`): the loop watches `pollFD`, calls `runPass()`
/// when it is readable or `nextDeadlineNs` has come, and the engine's callbacks then run on the loop's
/// thread, next to the connections that started the transfers, with no hop between threads.
/// The engine waits in epoll on the sockets curl asks it to watch (CURLMOPT_SOCKETFUNCTION) and on curl's
/// single timer (CURLMOPT_TIMERFUNCTION), and drives `curl_multi_socket_action`; connections are cached
/// and reused, and HTTP/2 upstreams are multiplexed. Other threads reach it only through `inbox`, which they
/// fill under a lock before waking the owner with an eventfd; the owner itself queues without the wake.
/// It never creates a thread per transfer. See libcurl's `curl_multi_socket_action(3)` and
/// `CURLMOPT_SOCKETFUNCTION(3)`; the shape follows swift-corelibs-foundation's libcurl wrapper.
public final class TransferEngine: @unchecked Sendable {
    enum Command {
        case start(UInt64, TransferRequest, TransferCallbacks)
        case cancel(UInt64)
        case resume(UInt64)
        case stop
    }

    static let wakeToken = UInt64.max
    static let sweepIntervalNs: UInt64 = 50_000_000
    static let eventCapacity = 256
    /// curl_global_init is not thread-safe; a static let runs it exactly once.
    private static let curlReady: Bool = curl_global_init(agentd_CURL_GLOBAL_DEFAULT) == CURLE_OK

    /// Commands for the owner, and whether it has stopped taking them: one lock, so none slips in after the
    /// last drain.
    private let inbox = Locked<(commands: [Command], closed: Bool)>(([], false))
    private let wakePending = Atomic<Bool>(false)
    private let nextID = Atomic<UInt64>(0)
    private let finished = DispatchSemaphore(value: 0)
    private let stopRequested = Atomic<Bool>(false)
    private let active = Atomic<Int>(0)
    private let opened = Atomic<Int>(0)
    /// pthread_self() of the owning thread; 0 until it runs.
    private let owner = Atomic<UInt>(0)
    let epollFD: Int32
    private let wakeFD: Int32
    /// Whether the engine runs on a thread of its own (else it waits for a host to drive it).
    public let startedThread: Bool

    // Owner-thread state.
    let multi: UnsafeMutableRawPointer
    private let events: UnsafeMutablePointer<agentd_event>
    var transfers: [UInt64: CurlTransfer] = [:]
    /// Per socket: what curl last asked to watch (0 once it said CURL_POLL_REMOVE) and what epoll watches.
    var sockets: [Int32: (wanted: UInt32, registered: UInt32)] = [:]
    /// Easy handles of finished transfers, kept for the next ones (init and cleanup cost more), each with the
    /// profile its options were set for; oldest first.
    private var spareHandles: [(easy: UnsafeMutableRawPointer, profile: CurlProfile)] = []
    static let maxSpareHandles = 256
    /// Connections in curl's cache that no transfer uses now (see `socketChanged`). While there are none, a new
    /// plain-http transfer asks curl for a fresh connection (CURLOPT_FRESH_CONNECT) instead of having it look
    /// for one to reuse: that search walks every connection to the host, all busy during a burst of streams,
    /// so a burst of N new streams cost curl O(N²) (libcurl 108 -> 79 us per stream at 9,900 streams, perf).
    /// HTTP/2 (TLS) transfers always look, to multiplex.
    var idleConnections = 0
    /// When curl wants `socket_action(CURL_SOCKET_TIMEOUT)`; nil when it set no timer.
    var timerDeadlineNs: UInt64?
    private var highestStartedID: UInt64 = 0
    private var cancelledBeforeStart: Set<UInt64> = []
    private var lastSweepNs: UInt64 = 0
    /// Commands the owner queued for itself, run at the end of the current pass without an eventfd wake.
    private var ownCommandsPending = false
    private(set) var running = true

    /// Transfers in flight now, from any thread (metrics, tests).
    public var activeTransfers: Int { active.load(ordering: .relaxed) }

    /// Upstream connections opened so far: with reuse and HTTP/2 multiplexing, far fewer than transfers.
    public var connectionsOpened: Int { opened.load(ordering: .relaxed) }

    /// A descriptor (the engine's epoll instance) that is readable when the engine has work: for the event
    /// loop a guest engine lives on.
    public var pollFD: Int32 { epollFD }

    /// Whether the caller is the engine's owning thread.
    public var isOwnerThread: Bool { owner.load(ordering: .relaxed) == pthread_self() }

    public init(name: String = "agentd-transfers", startsThread: Bool = true) throws(TransferError) {
        guard TransferEngine.curlReady else { throw .invalidRequest("curl_global_init failed") }
        guard let multi = curl_multi_init() else { throw .invalidRequest("curl_multi_init failed") }
        self.multi = multi
        events = .allocate(capacity: TransferEngine.eventCapacity)
        epollFD = agentd_epoll_create()
        wakeFD = agentd_eventfd()
        guard epollFD >= 0, wakeFD >= 0, agentd_epoll_add(epollFD, wakeFD, agentd_EPOLLIN, TransferEngine.wakeToken) == 0
        else { throw .invalidRequest("cannot create the engine's epoll instance") }
        startedThread = startsThread
        configureMulti()
        guard startsThread else { return }
        let thread = Thread { [self] in self.runThread() }
        thread.name = name
        thread.start()
    }

    deinit {
        events.deallocate()
        close(epollFD)
        close(wakeFD)
    }

    /// Starts a transfer; its callbacks run on the engine's thread.
    public func start(_ request: TransferRequest, callbacks: TransferCallbacks) -> TransferHandle {
        let id = nextID.add(1, ordering: .relaxed).newValue
        send(.start(id, request, callbacks))
        return TransferHandle(engine: self, id: id)
    }

    func cancel(_ id: UInt64) { send(.cancel(id)) }
    func resume(_ id: UInt64) { send(.resume(id)) }

    /// Cancels every transfer (each completes with `.cancelled`) and stops the engine, waiting for it.
    /// A guest engine stops on its loop's thread, or when its loop stops.
    /// A guest engine that no loop has adopted yet is stopped by the caller itself.
    public func shutdown() {
        guard !stopRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if !startedThread && owner.load(ordering: .acquiring) == 0 { adoptCurrentThread() }
        if isOwnerThread {
            stopNow()
            return
        }
        send(.stop)
        finished.wait()
    }

    private func send(_ command: Command) {
        let queued = inbox.withLock { inbox -> Bool in
            if inbox.closed { return false }
            inbox.commands.append(command)
            return true
        }
        guard queued else {
            // The engine has stopped: a start is answered at once, the rest has nothing left to act on.
            if case .start(_, _, let callbacks) = command { callbacks.onComplete(.failure(.cancelled)) }
            return
        }
        if isOwnerThread {
            // Called from a callback or a handler on the owner's thread: the current pass runs it.
            ownCommandsPending = true
        } else if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            _ = agentd_eventfd_signal(wakeFD)
        }
    }

    // MARK: Driving the engine (owner thread)

    /// Makes the calling thread the engine's owner: for an engine made with `startsThread: false`, called
    /// once by the event loop that hosts it, before its first `runPass()`.
    public func adoptCurrentThread() {
        owner.store(pthread_self(), ordering: .releasing)
    }

    /// When the owner must call `runPass()` next even if `pollFD` stays quiet: curl's timer, the idle sweep,
    /// or commands queued by the owner itself (then at once).
    public var nextDeadlineNs: UInt64 {
        if ownCommandsPending { return 0 }
        return min(timerDeadlineNs ?? .max, lastSweepNs &+ TransferEngine.sweepIntervalNs)
    }

    /// One pass without blocking: ready sockets, queued commands, curl's timer, idle timeouts.
    public func runPass() { pass(waitMs: 0) }

    /// Stops on the owner's thread: every transfer completes with `.cancelled`, curl's handles are freed.
    /// For a guest engine whose loop is stopping; later commands are answered `.cancelled`.
    public func stopNow() {
        guard running else { return }
        stopRequested.store(true, ordering: .relaxed)
        for transfer in Array(transfers.values) {
            transfer.abortReason = .cancelled
            finish(transfer, code: CURLE_OK)
        }
        running = false
        curl_multi_cleanup(multi)
        for spare in spareHandles { curl_easy_cleanup(spare.easy) }
        spareHandles.removeAll()
        refuseCommands()
        finished.signal()
    }

    private func runThread() {
        adoptCurrentThread()
        while running { pass(waitMs: waitTimeoutMs()) }
        refuseCommands()
    }

    private func pass(waitMs: Int32) {
        guard running else {
            refuseCommands()
            return
        }
        let count = agentd_epoll_wait(epollFD, events, Int32(TransferEngine.eventCapacity), waitMs)
        for offset in 0..<max(0, Int(count)) {
            let event = events[offset]
            if event.token == TransferEngine.wakeToken {
                _ = agentd_eventfd_drain(wakeFD)
                wakePending.store(false, ordering: .releasing)
                runCommands()
            } else {
                socketReady(Int32(truncatingIfNeeded: event.token), events: event.events)
            }
            guard running else { return }
        }
        if ownCommandsPending { runCommands() }
        guard running else { return }
        let now = TransferClock.nowNs()
        if let deadline = timerDeadlineNs, now >= deadline {
            timerDeadlineNs = nil
            timerFired()
        }
        if now &- lastSweepNs >= TransferEngine.sweepIntervalNs {
            lastSweepNs = now
            enforceIdleTimeouts(now: now)
        }
    }

    private func waitTimeoutMs() -> Int32 {
        let deadline = nextDeadlineNs
        let now = TransferClock.nowNs()
        let timeoutNs = min(TransferEngine.sweepIntervalNs, deadline > now ? deadline - now : 0)
        return Int32((timeoutNs + 999_999) / 1_000_000)
    }

    /// After a stop: the inbox closes (later commands are answered by `send` itself) and whatever was queued
    /// is answered, never left waiting.
    private func refuseCommands() {
        _ = agentd_eventfd_drain(wakeFD)
        wakePending.store(false, ordering: .releasing)
        ownCommandsPending = false
        let commands = inbox.withLock { inbox -> [Command] in
            defer { inbox.commands.removeAll() }
            inbox.closed = true
            return inbox.commands
        }
        for case .start(_, _, let callbacks) in commands { callbacks.onComplete(.failure(.cancelled)) }
    }

    private func runCommands() {
        ownCommandsPending = false
        let commands = inbox.withLock { inbox -> [Command] in
            defer { inbox.commands.removeAll(keepingCapacity: true) }
            return inbox.commands
        }
        for (index, command) in commands.enumerated() {
            switch command {
            case .start(let id, let request, let callbacks):
                highestStartedID = max(highestStartedID, id)
                if cancelledBeforeStart.remove(id) != nil {
                    callbacks.onComplete(.failure(.cancelled))
                } else {
                    begin(id: id, request: request, callbacks: callbacks)
                }
            case .cancel(let id):
                if let transfer = transfers[id] {
                    transfer.abortReason = .cancelled
                    finish(transfer, code: CURLE_OK)
                } else if id > highestStartedID {
                    cancelledBeforeStart.insert(id)
                }
            case .resume(let id):
                if let transfer = transfers[id], transfer.isPaused {
                    transfer.isPaused = false
                    transfer.lastActivityNs = TransferClock.nowNs()
                    _ = curl_easy_pause(transfer.easy, agentd_CURLPAUSE_CONT)
                    processCompletions()
                }
            case .stop:
                stopNow()
                for case .start(_, _, let callbacks) in commands[(index + 1)...] { callbacks.onComplete(.failure(.cancelled)) }
                return
            }
        }
    }

    private func begin(id: UInt64, request: TransferRequest, callbacks: TransferCallbacks) {
        let profile = CurlProfile(request)
        var reusing = false
        let easy: UnsafeMutableRawPointer
        if let index = spareHandles.lastIndex(where: { $0.profile == profile }) {
            easy = spareHandles.remove(at: index).easy
            reusing = true
        } else if let fresh = curl_easy_init() {
            easy = fresh
        } else {
            callbacks.onComplete(.failure(.invalidRequest("curl_easy_init failed")))
            return
        }
        let transfer = CurlTransfer(
            id: id, easy: easy, profile: profile, request: request, callbacks: callbacks, nowNs: TransferClock.nowNs()
        )
        let freshConnection = idleConnections <= 0 && !profile.isTLS
        if let problem = transfer.configure(request, reusing: reusing, freshConnection: freshConnection, engine: self) {
            transfer.profile = nil
            release(transfer)
            callbacks.onComplete(.failure(.invalidRequest(problem)))
            return
        }
        transfers[id] = transfer
        active.add(1, ordering: .relaxed)
        let code = curl_multi_add_handle(multi, transfer.easy)
        if code != CURLM_OK {
            transfers[id] = nil
            active.subtract(1, ordering: .relaxed)
            release(transfer)
            callbacks.onComplete(.failure(.invalidRequest(String(cString: curl_multi_strerror(code)))))
        }
    }

    /// Ends transfers whose upstream has sent nothing for their idle timeout (to within a sweep interval).
    private func enforceIdleTimeouts(now: UInt64) {
        for transfer in transfers.values {
            if transfer.active {
                transfer.active = false
                transfer.lastActivityNs = now
            } else if transfer.idleTimeoutNs > 0 && transfer.headDelivered && !transfer.isPaused
                && now > transfer.lastActivityNs && now - transfer.lastActivityNs > transfer.idleTimeoutNs {
                transfer.abortReason = .timedOut(.idle)
                finish(transfer, code: CURLE_OK)
            }
        }
    }

    /// Frees a transfer's own memory and keeps its easy handle, with its options, for the next transfer with
    /// the same profile. A handle whose transfer ended early (cancel, idle timeout, pause) or whose options
    /// could not all be set is closed instead: curl_easy_reset does not clear everything (a handle whose
    /// connect failed keeps its receive buffer, and then refuses CURLOPT_BUFFERSIZE), a fresh one does.
    private func release(_ transfer: CurlTransfer) {
        transfer.release()
        if transfer.abortReason != nil { transfer.profile = nil }
        guard let profile = transfer.profile else {
            curl_easy_cleanup(transfer.easy)
            return
        }
        if spareHandles.count >= TransferEngine.maxSpareHandles {
            curl_easy_cleanup(spareHandles.removeFirst().easy)
        }
        spareHandles.append((transfer.easy, profile))
    }

    /// Removes a transfer from curl and reports its result, exactly once.
    func finish(_ transfer: CurlTransfer, code: CURLcode) {
        guard transfers.removeValue(forKey: transfer.id) != nil else { return }
        active.subtract(1, ordering: .relaxed)
        opened.add(transfer.connectionsOpened, ordering: .relaxed)
        curl_multi_remove_handle(multi, transfer.easy)
        let result = TransferEngine.outcome(of: transfer, code: code)
        release(transfer)
        transfer.callbacks.onComplete(result)
    }
}

/// The engine's clock: monotonic nanoseconds.
enum TransferClock {
    static func nowNs() -> UInt64 { agentd_monotonic_ns() }
}
