import Dispatch
import JSON
import Locks
import RedisSupport
import Testing
@testable import Tracing

/// The tracer: ids, sampling, the OTLP JSON it exports, batches, the bounded queue and a collector that fails.
@Suite("the tracer")
struct TracerTests {
    /// Takes every batch, or refuses them all, and keeps the bodies.
    final class Collector: SpanExporting {
        let bodies = Locked<[[UInt8]]>([])
        let accepts: Bool
        init(accepts: Bool = true) { self.accepts = accepts }
        func export(_ body: [UInt8], spans: Int, completion: @escaping @Sendable (Bool) -> Void) {
            bodies.withLock { $0.append(body) }
            completion(accepts)
        }
        var spans: [JSONValue] {
            bodies.withLock { $0 }.flatMap { body in
                (try? JSONValue.parse(body))?["resourceSpans"]?[0]?["scopeSpans"]?[0]?["spans"]?.arrayValue ?? []
            }
        }
    }

    static func tracer(_ collector: Collector, ratio: Double = 1, queue: Int = 100, batch: Int = 10) -> Tracer {
        Tracer(
            settings: TracerSettings(sampleRatio: ratio, queueCapacity: queue, batchSize: batch, intervalMs: 60_000),
            exporter: collector, resource: [("service.name", .string("agentd"))], version: "1.2.3"
        )
    }

    @Test("a child keeps its parent's trace and decision; a root gets a new trace")
    func contexts() throws {
        let tracer = Self.tracer(Collector())
        let parent = try #require(TraceContext.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"))
        let child = tracer.startSpan(parent: parent)
        #expect(child.traceID == parent.traceID && child.spanID != parent.spanID && !child.sampled)
        let roots = (0..<100).map { _ in tracer.startSpan(parent: nil) }
        #expect(Set(roots.map(\.traceID)).count == 100 && roots.allSatisfy(\.sampled))
        let never = Self.tracer(Collector(), ratio: 0)
        #expect((0..<100).allSatisfy { _ in !never.startSpan(parent: nil).sampled })
    }

    @Test("a span is exported as OTLP/HTTP JSON: hex ids, times as strings, kinds and status as numbers")
    func otlpJSON() throws {
        let context = TraceContext(traceHigh: 1, traceLow: 2, spanID: 3, sampled: true)
        let span = SpanData(
            context: context, parentSpanID: 4, name: "chat m", kind: .client, startUnixNs: 10, endUnixNs: 20,
            attributes: [("a", .string("x")), ("n", .int(5)), ("d", .double(0.5)), ("b", .bool(true)), ("l", .strings(["s"]))],
            events: [SpanEvent(name: "retry", timeUnixNs: 15, attributes: [("agentd.attempt", .int(1))])],
            links: [TraceContext(traceHigh: 9, traceLow: 9, spanID: 9, sampled: true)], error: "boom"
        )
        let body = OTLPEncoder.encode([span], resource: [("service.name", .string("agentd"))], scopeName: "agentd", scopeVersion: "1")
        #expect(String(decoding: body, as: UTF8.self) == #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agentd"}}]},"scopeSpans":[{"scope":{"name":"agentd","version":"1"},"spans":[{"traceId":"00000000000000010000000000000002","spanId":"0000000000000003","parentSpanId":"0000000000000004","flags":1,"name":"chat m","kind":3,"startTimeUnixNano":"10","endTimeUnixNano":"20","attributes":[{"key":"a","value":{"stringValue":"x"}},{"key":"n","value":{"intValue":"5"}},{"key":"d","value":{"doubleValue":0.5}},{"key":"b","value":{"boolValue":true}},{"key":"l","value":{"arrayValue":{"values":[{"stringValue":"s"}]}}}],"events":[{"timeUnixNano":"15","name":"retry","attributes":[{"key":"agentd.attempt","value":{"intValue":"1"}}]}],"links":[{"traceId":"00000000000000090000000000000009","spanId":"0000000000000009"}],"status":{"code":2,"message":"boom"}}]}]}]}"#)
    }

    @Test("any text survives: escaped within its bound, read back the same (random spans)")
    func escaping() throws {
        var random = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "\"", "\\", "\n", "\u{01}", "\u{1f}", "é", "😀", "/", " ", "\t", "\r"]
        func text() -> String { String((0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        for _ in 0..<200 {
            let span = SpanData(
                context: TraceContext(traceHigh: random.next(), traceLow: random.next(), spanID: random.next(), sampled: true),
                parentSpanID: random.next(), name: text(), kind: .server, startUnixNs: random.next(), endUnixNs: .max,
                attributes: [("s", .string(text())), ("l", .strings([text(), text()])), ("i", .int(Int.min)), ("d", .double(-1e-300))],
                events: [SpanEvent(name: text(), timeUnixNs: 0, attributes: [("e", .string(text()))])],
                links: [TraceContext(traceHigh: .max, traceLow: .max, spanID: .max, sampled: true)], error: text()
            )
            let json = try JSONValue.parse(OTLPEncoder.encode(span))
            #expect(json["name"]?.stringValue == span.name && json["status"]?["message"]?.stringValue == span.error)
            #expect(json["attributes"]?[0]?["value"]?["stringValue"]?.stringValue == { if case .string(let s) = span.attributes[0].value { s } else { nil } }())
            #expect(json["attributes"]?[2]?["value"]?["intValue"]?.stringValue == String(Int.min))
            #expect(json["events"]?[0]?["name"]?.stringValue == span.events[0].name)
            #expect(json["endTimeUnixNano"]?.stringValue == String(UInt64.max))
        }
    }

    static func span(_ tracer: Tracer, sampled: Bool = true) -> SpanData {
        var context = tracer.startSpan(parent: nil)
        context.sampled = sampled
        return SpanData(context: context, parentSpanID: nil, name: "s", kind: .internal, startUnixNs: 1)
    }

    @Test("full batches go out at once; unsampled spans never; a full queue drops and counts; flushAll empties it")
    func batchesAndBounds() async {
        let collector = Collector()
        let tracer = Self.tracer(collector, queue: 25, batch: 10)
        for _ in 0..<10 { tracer.record(Self.span(tracer)) }
        tracer.record(Self.span(tracer, sampled: false))
        #expect(await waitUntil { collector.spans.count == 10 })
        // 40 spans at once into a queue of 25: batches of 10 drain it meanwhile, or not; none is lost uncounted.
        for _ in 0..<40 { tracer.record(Self.span(tracer)) }
        tracer.flushAll(timeoutMs: 2_000)
        #expect(collector.spans.count + tracer.droppedSpans == 50)
        #expect(collector.spans.count >= 35 && tracer.exportedSpans == collector.spans.count)
    }

    @Test("spans of batches the collector refuses are counted as dropped")
    func refusedBatches() {
        let collector = Collector(accepts: false)
        let tracer = Self.tracer(collector, batch: 5)
        for _ in 0..<12 { tracer.record(Self.span(tracer)) }
        tracer.flushAll(timeoutMs: 2_000)
        // Batches of 5 at most: 3 exports, or more when a flush ran between two records.
        #expect(tracer.droppedSpans == 12 && tracer.failedExports >= 3 && tracer.exportedSpans == 0)
    }
}
