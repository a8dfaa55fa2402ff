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

/// Makes trace contexts and exports finished spans in batches (docs/api.md, Tracing; docs/operations.md,
/// "8. Observability").
///
/// Recording a span appends it to its thread's open batch: spans of one thread share a lock with no other
/// thread's, so recording neither contends nor waits for the network, and does no encoding. A batch that reaches
/// the batch size is sealed and waits its turn; past the queue's capacity (spans open and sealed) a span is
/// dropped and counted. One export is in flight at a time, started by a sealed batch or by the interval timer
/// (which seals what the threads have open), on the tracer's queue, which encodes the whole batch in one pass:
/// the request threads only build and queue a span (about 0.3 + 0.25 µs, bench/micro.sh), and the encoding
/// (about 0.45 µs a span) runs off them. A collector that is down or slow costs dropped spans, nothing else.
///
/// Owners: each thread slot's open batch, behind its shard's lock; the sealed batches, the export flag and
/// waiting drains, behind `exports`; the queued count, the id sequence and the counters are atomics.
public final class Tracer: Sendable {
    /// One thread slot's batch in the making.
    private struct Shard {
        var spans: [SpanData] = []
    }

    private struct Exports {
        /// Sealed batches, oldest first.
        var sealed: [[SpanData]] = []
        var exporting = false
        /// `flushAll`s waiting for the export in flight before they drain the rest.
        var drainers: [@Sendable () -> Void] = []
    }

    private static let shardCount = 8

    public let settings: TracerSettings
    private let exporter: any SpanExporting
    /// Every body's head: the resource and the scope.
    private let head: [UInt8]
    private let shards: [Locked<Shard>]
    private let exports = Locked(Exports())
    /// Spans open or sealed, not yet handed to the exporter: what the capacity bounds.
    private let queued = Atomic<Int>(0)
    /// splitmix64's state: each id is the mix of the next step.
    private let idSequence: Atomic<UInt64>
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
        head = OTLPEncoder.head(resource: resource, scopeName: "agentd", scopeVersion: version)
        shards = (0..<Tracer.shardCount).map { _ in Locked(Shard()) }
        var seed = SystemRandomNumberGenerator()
        idSequence = Atomic(seed.next())
        let ratio = min(max(settings.sampleRatio, 0), 1)
        sampleThreshold = ratio >= 1 ? .max : UInt64(ratio * 18_446_744_073_709_551_615.0)
        timer = DispatchSource.makeTimerSource(queue: work)
        let interval = DispatchTimeInterval.milliseconds(max(10, settings.intervalMs))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(max(1, settings.intervalMs / 10)))
        timer.setEventHandler { [weak self] in self?.flush() }
        timer.resume()
    }

    deinit {
        timer.cancel()
    }

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
        if let parent {
            let spanID = Tracer.mix(idSequence.wrappingAdd(Tracer.gamma, ordering: .relaxed).newValue)
            return TraceContext(traceHigh: parent.traceHigh, traceLow: parent.traceLow, spanID: spanID | 1, sampled: parent.sampled)
        }
        let state = idSequence.wrappingAdd(3 &* Tracer.gamma, ordering: .relaxed).newValue
        let (a, b, c) = (Tracer.mix(state), Tracer.mix(state &- Tracer.gamma), Tracer.mix(state &- 2 &* Tracer.gamma))
        // The ratio decides on the trace id's low half, so every service sampling by ratio agrees (W3C, OTel's
        // TraceIdRatioBased).
        return TraceContext(traceHigh: b, traceLow: c, spanID: a | 1, sampled: c <= sampleThreshold && sampleThreshold > 0)
    }

    /// Queues a finished span of a sampled trace; drops it (counted) when the queue is full.
    public func record(_ span: SpanData) {
        guard span.context.sampled else { return }
        guard queued.wrappingAdd(1, ordering: .relaxed).oldValue < settings.queueCapacity else {
            queued.wrappingSubtract(1, ordering: .relaxed)
            droppedCount.add(1, ordering: .relaxed)
            return
        }
        let full = shards[ThreadSlot.current % Tracer.shardCount].withLock { shard -> [SpanData]? in
            if shard.spans.isEmpty { shard.spans.reserveCapacity(settings.batchSize) }
            shard.spans.append(span)
            guard shard.spans.count >= settings.batchSize else { return nil }
            defer { shard.spans = [] }
            return shard.spans
        }
        guard let full else { return }
        let start = exports.withLock { exports -> Bool in
            exports.sealed.append(full)
            return !exports.exporting
        }
        if start { work.async { [self] in flush() } }
    }

    /// Seals what the threads have open (the interval timer): each open shard becomes a batch.
    private func sealOpenBatches() {
        var batches: [[SpanData]] = []
        for shard in shards {
            let spans = shard.withLock { shard -> [SpanData] in
                defer { shard.spans = [] }
                return shard.spans
            }
            if !spans.isEmpty { batches.append(spans) }
        }
        guard !batches.isEmpty else { return }
        exports.withLock { $0.sealed += batches }
    }

    /// Sends the oldest sealed batch (sealing the open ones when none is), unless an export is in flight.
    /// With `done` it drains: batch after batch until nothing is queued, then `done` runs (after the export in
    /// flight, if there is one).
    func flush(then done: (@Sendable () -> Void)? = nil) {
        enum Next { case send([SpanData]), waiting, empty }
        if exports.withLock({ $0.sealed.isEmpty }) { sealOpenBatches() }
        let next = exports.withLock { exports -> Next in
            guard !exports.exporting else {
                if let done { exports.drainers.append(done) }
                return .waiting
            }
            guard !exports.sealed.isEmpty else { return .empty }
            exports.exporting = true
            return .send(exports.sealed.removeFirst())
        }
        guard case .send(let batch) = next else {
            if case .empty = next { done?() }
            return
        }
        let spans = batch.count
        queued.wrappingSubtract(spans, ordering: .relaxed)
        let body = OTLPEncoder.encode(batch, head: head)
        exporter.export(body, spans: spans) { [self] ok in
            if ok {
                exportedCount.add(spans, ordering: .relaxed)
            } else {
                failedCount.add(1, ordering: .relaxed)
                droppedCount.add(spans, ordering: .relaxed)
            }
            let (sealed, drainers) = exports.withLock { exports -> (Bool, [@Sendable () -> Void]) in
                exports.exporting = false
                defer { exports.drainers = [] }
                return (!exports.sealed.isEmpty, exports.drainers)
            }
            let waiting = (done.map { [$0] } ?? []) + drainers
            if !waiting.isEmpty {
                // Draining takes the open batches too; it ends when nothing is queued.
                work.async { [self] in flush { for waiter in waiting { waiter() } } }
            } else if sealed {
                work.async { [self] in flush() }
            }
        }
    }

    /// Exports what is queued, waiting at most `timeoutMs` (shutdown): spans still queued then are dropped.
    public func flushAll(timeoutMs: Int) {
        let finished = DispatchSemaphore(value: 0)
        work.async { [self] in flush { finished.signal() } }
        if finished.wait(timeout: .now() + .milliseconds(timeoutMs)) == .timedOut {
            var left = exports.withLock { exports -> Int in
                defer { exports.sealed.removeAll() }
                return exports.sealed.reduce(0) { $0 + $1.count }
            }
            for shard in shards {
                left += shard.withLock { shard -> Int in
                    defer { shard.spans = [] }
                    return shard.spans.count
                }
            }
            queued.wrappingSubtract(left, ordering: .relaxed)
            droppedCount.add(left, ordering: .relaxed)
        }
        timer.cancel()
    }

    private static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// splitmix64's output step: fast, well-spread ids (they need to be unique, not secret).
    private static func mix(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
