import CAgentdSystem
import CCurl
import Foundation
import Synchronization
import Locks

/// Thousands of concurrent upstream HTTP calls on one thread, through libcurl's multi interface.
///
/// Owner: the engine's own thread owns the multi handle and every easy handle: all curl calls happen there
/// (libcurl handles are not thread-safe). It waits in epoll on the sockets curl asks it to watch
/// (CURLMOPT_SOCKETFUNCTION) and on curl's single timer (CURLMOPT_TIMERFUNCTION), and drives
/// `curl_multi_socket_action`; connections are cached and reused, and HTTP/2 upstreams are multiplexed.
/// Other threads reach it only through `inbox`, which they fill under a lock before waking the thread
/// with an eventfd. It never creates a thread per transfer. See libcurl's `curl_multi_socket_action(3)`
/// and `CURLMOPT_SOCKETFUNCTION(3)`; the shape follows swift-corelibs-foundation's libcurl wrapper.
public final class TransferEngine: @unchecked Sendable {
    enum Command {
        case start(UInt64, TransferRequest, TransferCallbacks)
        case cancel(UInt64)
        case resume(UInt64)
        case stop
    }

    static let wakeToken = UInt64.max
    static let sweepIntervalNs: UInt64 = 50_000_000
    /// curl_global_init is not thread-safe; a static let runs it exactly once.
    private static let curlReady: Bool = curl_global_init(agentd_CURL_GLOBAL_DEFAULT) == CURLE_OK

    private let inbox = Locked<[Command]>([])
    private let wakePending = Atomic<Bool>(false)
    private let nextID = Atomic<UInt64>(0)
    private let finished = DispatchSemaphore(value: 0)
    private let active = Atomic<Int>(0)
    private let opened = Atomic<Int>(0)
    let epollFD: Int32
    private let wakeFD: Int32

    // Engine-thread state.
    let multi: UnsafeMutableRawPointer
    var transfers: [UInt64: CurlTransfer] = [:]
    var sockets: [Int32: UInt32] = [:]
    /// When curl wants `socket_action(CURL_SOCKET_TIMEOUT)`; nil when it set no timer.
    var timerDeadlineNs: UInt64?
    private var highestStartedID: UInt64 = 0
    private var cancelledBeforeStart: Set<UInt64> = []
    private var lastSweepNs: UInt64 = 0
    private var running = true

    /// Transfers in flight now, from any thread (metrics, tests).
    public var activeTransfers: Int { active.load(ordering: .relaxed) }

    /// Upstream connections opened so far: with reuse and HTTP/2 multiplexing, far fewer than transfers.
    public var connectionsOpened: Int { opened.load(ordering: .relaxed) }

    public init(name: String = "agentd-transfers") throws(TransferError) {
        guard TransferEngine.curlReady else { throw .invalidRequest("curl_global_init failed") }
        guard let multi = curl_multi_init() else { throw .invalidRequest("curl_multi_init failed") }
        self.multi = multi
        epollFD = agentd_epoll_create()
        wakeFD = agentd_eventfd()
        guard epollFD >= 0, wakeFD >= 0, agentd_epoll_add(epollFD, wakeFD, agentd_EPOLLIN, TransferEngine.wakeToken) == 0
        else { throw .invalidRequest("cannot create the engine's epoll instance") }
        configureMulti()
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
    }

    deinit {
        close(epollFD)
        close(wakeFD)
    }

    /// Starts a transfer; its callbacks run on the engine thread.
    public func start(_ request: TransferRequest, callbacks: TransferCallbacks) -> TransferHandle {
        let id = nextID.add(1, ordering: .relaxed).newValue
        send(.start(id, request, callbacks))
        return TransferHandle(engine: self, id: id)
    }

    func cancel(_ id: UInt64) { send(.cancel(id)) }
    func resume(_ id: UInt64) { send(.resume(id)) }

    /// Cancels every transfer (each completes with `.cancelled`) and stops the thread.
    public func shutdown() {
        send(.stop)
        finished.wait()
    }

    private func send(_ command: Command) {
        inbox.withLock { $0.append(command) }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            _ = agentd_eventfd_signal(wakeFD)
        }
    }

    // MARK: The loop (engine thread)

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<agentd_event>.allocate(capacity: capacity)
        defer {
            events.deallocate()
            curl_multi_cleanup(multi)
            finished.signal()
        }
        while running {
            let count = agentd_epoll_wait(epollFD, events, Int32(capacity), waitTimeoutMs())
            var now = TransferClock.nowNs()
            for offset in 0..<max(0, Int(count)) {
                let event = events[offset]
                if event.token == TransferEngine.wakeToken {
                    _ = agentd_eventfd_drain(wakeFD)
                    wakePending.store(false, ordering: .releasing)
                    runCommands()
                } else {
                    socketReady(Int32(truncatingIfNeeded: event.token), events: event.events)
                }
            }
            now = TransferClock.nowNs()
            if let deadline = timerDeadlineNs, now >= deadline {
                timerDeadlineNs = nil
                timerFired()
            }
            if now &- lastSweepNs >= TransferEngine.sweepIntervalNs {
                lastSweepNs = now
                enforceIdleTimeouts(now: now)
            }
        }
    }

    private func waitTimeoutMs() -> Int32 {
        var timeoutNs = TransferEngine.sweepIntervalNs
        if let deadline = timerDeadlineNs {
            let now = TransferClock.nowNs()
            timeoutNs = min(timeoutNs, deadline > now ? deadline - now : 0)
        }
        return Int32((timeoutNs + 999_999) / 1_000_000)
    }

    private func runCommands() {
        let commands = inbox.withLock { queue -> [Command] in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        for command in commands {
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
                for transfer in Array(transfers.values) {
                    transfer.abortReason = .cancelled
                    finish(transfer, code: CURLE_OK)
                }
                running = false
            }
        }
    }

    private func begin(id: UInt64, request: TransferRequest, callbacks: TransferCallbacks) {
        guard let transfer = CurlTransfer(id: id, request: request, callbacks: callbacks, nowNs: TransferClock.nowNs()) else {
            callbacks.onComplete(.failure(.invalidRequest("curl_easy_init failed")))
            return
        }
        if let problem = transfer.configure(request) {
            transfer.cleanUp()
            callbacks.onComplete(.failure(.invalidRequest(problem)))
            return
        }
        transfers[id] = transfer
        active.add(1, ordering: .relaxed)
        let code = curl_multi_add_handle(multi, transfer.easy)
        if code != CURLM_OK {
            transfers[id] = nil
            active.subtract(1, ordering: .relaxed)
            transfer.cleanUp()
            callbacks.onComplete(.failure(.invalidRequest(String(cString: curl_multi_strerror(code)))))
        }
    }

    private func enforceIdleTimeouts(now: UInt64) {
        for transfer in transfers.values
        // `now` may be older than activity recorded since it was read: compare, never wrap around.
        where transfer.idleTimeoutNs > 0 && transfer.headDelivered && !transfer.isPaused
            && now > transfer.lastActivityNs && now - transfer.lastActivityNs > transfer.idleTimeoutNs {
            transfer.abortReason = .timedOut(.idle)
            finish(transfer, code: CURLE_OK)
        }
    }

    /// Removes a transfer from curl and reports its result, exactly once.
    func finish(_ transfer: CurlTransfer, code: CURLcode) {
        guard transfers.removeValue(forKey: transfer.id) != nil else { return }
        active.subtract(1, ordering: .relaxed)
        opened.add(transfer.connectionsOpened, ordering: .relaxed)
        curl_multi_remove_handle(multi, transfer.easy)
        let result = TransferEngine.outcome(of: transfer, code: code)
        transfer.cleanUp()
        transfer.callbacks.onComplete(result)
    }
}

/// The engine's clock: monotonic nanoseconds.
enum TransferClock {
    static func nowNs() -> UInt64 { agentd_monotonic_ns() }
}
