import CAgentdSystem
import HTTP
import LLM
import Server
import Synchronization
import Locks

/// Carries a provider's stream to a client's, with backpressure both ways and SSE keep-alives.
///
/// The response head is sent with the first event, not before: a provider that fails before its first
/// byte still gets a real error status (502, 504), and retries stay possible. If the first byte is slower
/// than the keep-alive interval, the stream starts with a keep-alive comment instead.
///
/// Writes go to the client's event loop; each comes back through its `ready` callback once the client's
/// buffer is under the high-water mark. While more than `highWater` writes are unacknowledged the provider
/// is paused, and resumed when they drain to `lowWater`: a slow client slows its upstream instead of
/// growing memory. A comment line goes out when nothing else did for `keepAliveMs`, so proxies keep the
/// stream open (docs/api.md, Timeouts: at least every 15 s). Owner: none; atomics and a lock.
final class StreamBridge: Sendable {
    static let highWater = 16
    static let lowWater = 2

    private let responder: Responder
    private let headers: HTTPHeaders
    private let started = Locked<ResponseStream?>(nil, compact: true)
    private let unacknowledged = Atomic<Int>(0)
    private let paused = Atomic<Bool>(false)
    private let lastWriteNs = Atomic<UInt64>(agentd_monotonic_ns())
    /// The provider call, and whether the bridge let go of it (then a late `attach` keeps nothing).
    private let call = Locked<(current: ProviderCall?, released: Bool)>((nil, false), compact: true)
    /// Asks every third of the keep-alive interval whether one is due; shared by the streams with that interval.
    private let timer: KeepAliveTimer
    private let keepAliveNs: UInt64

    init(responder: Responder, headers: HTTPHeaders, keepAliveMs: Int = 15_000) {
        self.responder = responder
        self.headers = headers
        keepAliveNs = UInt64(keepAliveMs) * 1_000_000
        timer = KeepAliveTimer.every(max(50, keepAliveMs / 3))
        timer.join(self)
    }

    /// The client's stream, started on first use.
    private var stream: ResponseStream {
        started.withLock { stream in
            if let stream { return stream }
            let new = responder.startStream(status: .ok, headers: headers)
            stream = new
            return new
        }
    }

    /// Answers with `response` instead, if the stream has not started; returns whether it could.
    func failBeforeStart(_ response: HTTPResponse) -> Bool {
        let answered = started.withLock { stream -> Bool in
            guard stream == nil else { return false }
            responder.respond(response)
            return true
        }
        if answered { release() }
        return answered
    }

    /// The provider call to pause and resume; set once it started.
    func attach(_ providerCall: ProviderCall) {
        call.withLock { if !$0.released { $0.current = providerCall } }
    }

    /// Sends bytes to the client; tells the provider whether to go on.
    func send(_ bytes: [UInt8]) -> TransferFlow {
        unacknowledged.add(1, ordering: .relaxed)
        lastWriteNs.store(agentd_monotonic_ns(), ordering: .relaxed)
        stream.write(bytes) { [self] in acknowledged() }
        guard unacknowledged.load(ordering: .relaxed) > StreamBridge.highWater else { return .proceed }
        paused.store(true, ordering: .sequentiallyConsistent)
        // The writes may have drained between the count and the flag: then nobody would resume us.
        if unacknowledged.load(ordering: .sequentiallyConsistent) <= StreamBridge.lowWater,
            paused.exchange(false, ordering: .sequentiallyConsistent) {
            return .proceed
        }
        return .pause
    }

    private func acknowledged() {
        let left = unacknowledged.subtract(1, ordering: .sequentiallyConsistent).newValue
        if left <= StreamBridge.lowWater, paused.exchange(false, ordering: .sequentiallyConsistent) {
            call.withLock { $0.current }?.resume()
        }
    }

    /// Sends a keep-alive comment if nothing went out for the interval (`KeepAliveTimer`'s tick).
    func keepAlive() {
        let now = agentd_monotonic_ns()
        guard now &- lastWriteNs.load(ordering: .relaxed) >= keepAliveNs else { return }
        lastWriteNs.store(now, ordering: .relaxed)
        stream.write(ServerSentEvent.comment("keep-alive"))
    }

    /// Sends bytes without counting them for backpressure (the final events).
    func sendLast(_ bytes: [UInt8]) { stream.write(bytes) }

    /// Ends the client's stream and stops the keep-alives.
    func finish() {
        release()
        stream.finish()
    }

    /// The client went away: stop the keep-alives (the caller cancels the provider call).
    func stop() { release() }

    /// Stops the keep-alives and lets go of the provider call: the call's callbacks hold this bridge, so keeping
    /// the call after the end would keep both alive for good (a cycle, one per stream).
    private func release() {
        timer.leave(self)
        call.withLock { $0 = (nil, true) }
    }

    deinit { timer.leave(self) }
}
