import JSON
import Locks
import Logging
import Metrics
import Server
import Synchronization
import Tracing

/// One access line per request (docs/api.md, Logs) and the HTTP metrics, from each finished exchange.
///
/// Runs on the event loop that served the request, so it is cheap: the line is written straight to bytes
/// (no dictionary, no String per field) and handed to a batching sink. It logs what the server and handler
/// know: never a header value but the request id, never a key (the client is a key's name or an address),
/// never message content.
struct AccessLog: ExchangeObserver {
    let logger: Logger
    let metrics: AgentdMetrics
    /// Records each traced request's server span; nil: tracing is off.
    var tracing: RequestTracing?
    /// Each routed template's series, and `unmatched`'s: made at start, read without a lock.
    private let routes: [String: RouteSeries]
    private let unmatched: RouteSeries

    init(logger: Logger, metrics: AgentdMetrics, templates: [String]) {
        self.logger = logger
        self.metrics = metrics
        var routes: [String: RouteSeries] = [:]
        for template in Set(templates) { routes[template] = RouteSeries(metrics: metrics, route: template) }
        self.routes = routes
        unmatched = RouteSeries(metrics: metrics, route: "unmatched")
    }

    func exchangeFinished(_ record: ExchangeRecord) {
        let series = record.route.flatMap { routes[$0] } ?? unmatched
        let method = record.method?.rawValue ?? "OTHER"
        if record.status > 0 {
            series.count(method: method, status: record.status)
            series.duration.observe(Double(record.durationNs) / 1e9)
        }
        if let tracing, let trace = record.note?.trace { tracing.serverSpan(record, trace: trace) }
        let route = series.route
        guard logger.isEnabled(.info) else { return }
        switch logger.format {
        case .json: logger.writeLine(jsonLine(record, route: route, method: method))
        case .text: logger.writeLine(Array(textLine(record, route: route, method: method).utf8))
        }
    }

    func jsonLine(_ record: ExchangeRecord, route: String, method: String) -> [UInt8] {
        var json = JSONWriter(capacity: 320)
        json.beginObject()
        json.key("ts")
        var timestamp: [UInt8] = []
        timestamp.reserveCapacity(24)
        LogTimestamp.append(unixMs: LogTimestamp.nowUnixMs(), to: &timestamp)
        json.string(String(decoding: timestamp, as: UTF8.self))
        json.key("level")
        json.string("info")
        json.key("msg")
        json.string(record.completed ? "request" : "request cancelled")
        json.key("request_id")
        json.string(record.requestID)
        json.key("method")
        json.string(method)
        json.key("route")
        json.string(route)
        json.key("status")
        json.integer(record.status)
        json.key("duration_ms")
        json.double((Double(record.durationNs) / 10_000).rounded() / 100)
        json.key("client")
        json.string(record.note?.client ?? record.remoteAddress)
        if let trace = record.note?.trace {
            json.key("trace_id")
            json.plainString { trace.context.appendTraceID(to: &$0) }
            json.key("span_id")
            json.plainString { trace.context.appendSpanID(to: &$0) }
        }
        if let note = record.note {
            json.member("agent", note.agent)
            json.member("provider", note.provider)
            json.member("model", note.model)
            json.member("input_tokens", note.inputTokens)
            json.member("output_tokens", note.outputTokens)
            json.member("attempts", note.attempts)
            json.member("cache", note.cache)
        }
        json.endObject()
        var line = json.bytes
        line.append(UInt8(ascii: "\n"))
        return line
    }

    func textLine(_ record: ExchangeRecord, route: String, method: String) -> String {
        var line = "\(LogTimestamp.now()) INFO \(record.completed ? "request" : "request cancelled")"
        line += " request_id=\(record.requestID) method=\(method) route=\(route) status=\(record.status)"
        line += " duration_ms=\((Double(record.durationNs) / 10_000).rounded() / 100) client=\(record.note?.client ?? record.remoteAddress)"
        if let note = record.note {
            if let agent = note.agent { line += " agent=\(agent)" }
            if let provider = note.provider { line += " provider=\(provider)" }
            if let model = note.model { line += " model=\(model)" }
            if let tokens = note.inputTokens { line += " input_tokens=\(tokens)" }
            if let tokens = note.outputTokens { line += " output_tokens=\(tokens)" }
            if let attempts = note.attempts { line += " attempts=\(attempts)" }
            if let cache = note.cache { line += " cache=\(cache)" }
            if let trace = note.trace { line += " trace_id=\(trace.context.traceID) span_id=\(trace.context.spanIDText)" }
        }
        return line + "\n"
    }
}

/// One route's HTTP series: its duration histogram, and a counter per method and status.
///
/// The counters sit in a fixed table indexed by status (100-599) and method, read with one atomic load and no
/// lock: every loop thread looks one up per request, and a shared lock would move its cache line between cores
/// each time. A missing counter is made once, under `creating`, from the family (which keeps it alive).
final class RouteSeries: @unchecked Sendable {
    let route: String
    let duration: Histogram
    private let metrics: AgentdMetrics
    private let creating = Locked<Void>(())
    private let table: UnsafeMutablePointer<Atomic<Unmanaged<Counter>?>>
    private static let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    private static let methodSlots = methods.count + 1
    private static let statuses = 100..<600
    private static var slots: Int { statuses.count * methodSlots }

    init(metrics: AgentdMetrics, route: String) {
        self.route = route
        self.metrics = metrics
        duration = metrics.httpDuration.labels(route)
        table = .allocate(capacity: RouteSeries.slots)
        for index in 0..<RouteSeries.slots { (table + index).initialize(to: Atomic(nil)) }
    }

    deinit {
        table.deinitialize(count: RouteSeries.slots)
        table.deallocate()
    }

    func count(method: String, status: Int) {
        guard RouteSeries.statuses.contains(status) else { return }
        let ordinal = RouteSeries.methods.firstIndex(of: method) ?? RouteSeries.methods.count
        let slot = table + (status - RouteSeries.statuses.lowerBound) * RouteSeries.methodSlots + ordinal
        if let counter = slot.pointee.load(ordering: .acquiring) {
            counter.takeUnretainedValue().increment()
            return
        }
        let counter = creating.withLock { _ -> Counter in
            if let counter = slot.pointee.load(ordering: .acquiring) { return counter.takeUnretainedValue() }
            let label = ordinal < RouteSeries.methods.count ? method : "OTHER"
            let counter = metrics.httpRequests.labels(route, label, String(status))
            slot.pointee.store(Unmanaged.passUnretained(counter), ordering: .releasing)
            return counter
        }
        counter.increment()
    }
}
