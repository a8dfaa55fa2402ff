#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Locks
import Synchronization

/// Where finished batches go: one OTLP/HTTP JSON body per call. `completion` runs once, with whether the
/// collector took it; a call must end within its own deadline.
public protocol SpanExporting: Sendable {
    func export(_ body: [UInt8], spans: Int, completion: @escaping @Sendable (Bool) -> Void)
}

/// How the tracer samples and batches (AGENTD_TRACE_SAMPLE_RATIO and the batch settings).
public struct TracerSettings: Sendable {
    /// Roots sampled (0...1); a span with a parent follows the parent's decision.
    public var sampleRatio: Double
    /// Finished spans waiting for export at most; past it they are dropped and counted.
    public var queueCapacity: Int
    /// Spans per export request.
    public var batchSize: Int
    /// A partial batch goes out after this long.
    public var intervalMs: Int

    public init(sampleRatio: Double = 1, queueCapacity: Int = 4096, batchSize: Int = 512, intervalMs: Int = 1000) {
        self.sampleRatio = sampleRatio
        self.queueCapacity = queueCapacity
        self.batchSize = batchSize
        self.intervalMs = intervalMs
    }
}

/// Makes trace contexts and exports finished spans in batches (contract: Tracing).
///
/// Recording a span takes a lock briefly and appends to a bounded queue; it never waits for the network: a full
/// queue drops the span and counts it. One export is in flight at a time, started by the interval timer or by a
/// full batch, on the tracer's queue; its body is encoded there, not on the caller's thread. A collector that is
/// down or slow costs dropped spans, nothing else.
///
/// Owner: `state` (the queue, the export flag, the id generator), behind its lock; counters are atomics.
public final class Tracer: Sendable {
    private struct State {
        var queue: [SpanData] = []
        var exporting = false
        var random: UInt64
    }

    public let settings: TracerSettings
    private let exporter: any SpanExporting
    private let resource: [(key: String, value: AttributeValue)]
    private let scopeVersion: String
    private let state: Locked<State>
    private let work = DispatchQueue(label: "agentd.tracing")
    /// Dispatch sources are thread-safe; the type just does not say so.
    nonisolated(unsafe) private let timer: DispatchSourceTimer
    private let droppedCount = Atomic<Int>(0)
    private let exportedCount = Atomic<Int>(0)
    private let failedCount = Atomic<Int>(0)
    private let sampleThreshold: UInt64

    public init(
        settings: TracerSettings, exporter: any SpanExporting, resource: [(key: String, value: AttributeValue)], version: String
    ) {
        self.settings = settings
        self.exporter = exporter
        self.resource = resource
        scopeVersion = version
        var seed = SystemRandomNumberGenerator()
        state = Locked(State(random: seed.next() | 1))
        let ratio = min(max(settings.sampleRatio, 0), 1)
        sampleThreshold = ratio >= 1 ? .max : UInt64(ratio * 18_446_744_073_709_551_615.0)
        timer = DispatchSource.makeTimerSource(queue: work)
        let interval = DispatchTimeInterval.milliseconds(max(10, settings.intervalMs))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(max(1, settings.intervalMs / 10)))
        timer.setEventHandler { [weak self] in self?.flush() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// Spans dropped because the queue was full or their export failed.
    public var droppedSpans: Int { droppedCount.load(ordering: .relaxed) }
    public var exportedSpans: Int { exportedCount.load(ordering: .relaxed) }
    public var failedExports: Int { failedCount.load(ordering: .relaxed) }

    /// Now, in nanoseconds since the Unix epoch (span times).
    public static func nowUnixNs() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// A new span's context: a child of `parent` (its trace, its sampling decision), or the root of a new trace
    /// sampled at the ratio.
    public func startSpan(parent: TraceContext?) -> TraceContext {
        let (a, b, c) = state.withLock { state in (Tracer.next(&state.random), Tracer.next(&state.random), Tracer.next(&state.random)) }
        if let parent {
            return TraceContext(traceHigh: parent.traceHigh, traceLow: parent.traceLow, spanID: a | 1, sampled: parent.sampled)
        }
        // The ratio decides on the trace id's low half, so every service sampling by ratio agrees (W3C, OTel's
        // TraceIdRatioBased).
        return TraceContext(traceHigh: b, traceLow: c, spanID: a | 1, sampled: c <= sampleThreshold && sampleThreshold > 0)
    }

    /// Queues a finished span of a sampled trace; drops it (counted) when the queue is full.
    public func record(_ span: SpanData) {
        guard span.context.sampled else { return }
        let batchReady = state.withLock { state -> Bool? in
            guard state.queue.count < settings.queueCapacity else { return nil }
            state.queue.append(span)
            return state.queue.count >= settings.batchSize && !state.exporting
        }
        switch batchReady {
        case nil: droppedCount.add(1, ordering: .relaxed)
        case true?: work.async { [self] in flush() }
        case false?: break
        }
    }

    /// Sends the next batch, unless one is in flight.
    func flush(then done: (@Sendable () -> Void)? = nil) {
        let batch = state.withLock { state -> [SpanData]? in
            guard !state.exporting, !state.queue.isEmpty else { return nil }
            state.exporting = true
            let count = min(settings.batchSize, state.queue.count)
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return batch
        }
        guard let batch else {
            done?()
            return
        }
        let body = OTLPEncoder.encode(batch, resource: resource, scopeName: "agentd", scopeVersion: scopeVersion)
        exporter.export(body, spans: batch.count) { [self] ok in
            if ok {
                exportedCount.add(batch.count, ordering: .relaxed)
            } else {
                failedCount.add(1, ordering: .relaxed)
                droppedCount.add(batch.count, ordering: .relaxed)
            }
            let more = state.withLock { state -> Bool in
                state.exporting = false
                return !state.queue.isEmpty
            }
            if more && (done != nil || queuedFullBatch) {
                work.async { [self] in flush(then: done) }
            } else {
                done?()
            }
        }
    }

    private var queuedFullBatch: Bool { state.withLock { $0.queue.count >= settings.batchSize } }

    /// Exports what is queued, waiting at most `timeoutMs` (shutdown): spans still queued then are dropped.
    public func flushAll(timeoutMs: Int) {
        let finished = DispatchSemaphore(value: 0)
        work.async { [self] in flush { finished.signal() } }
        if finished.wait(timeout: .now() + .milliseconds(timeoutMs)) == .timedOut {
            let left = state.withLock { state -> Int in
                defer { state.queue.removeAll() }
                return state.queue.count
            }
            droppedCount.add(left, ordering: .relaxed)
        }
        timer.cancel()
    }

    /// splitmix64: fast, well-spread ids (they need to be unique, not secret).
    private static func next(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
