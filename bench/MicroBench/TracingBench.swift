import Tracing

/// What tracing adds to a traced request, per span: a context, a model-call span built as the gateway builds
/// it, encoded as OTLP JSON alone and within a batch, and recorded (queued for a batch exported to nowhere).
enum TracingBench {
    struct Nowhere: SpanExporting {
        func export(_ body: [UInt8], spans: Int, completion: @escaping @Sendable (Bool) -> Void) { completion(true) }
    }

    static let tracer = Tracer(
        settings: TracerSettings(queueCapacity: 1 << 20), exporter: Nowhere(),
        resource: [("service.name", .string("agentd"))], version: "bench"
    )

    /// A model-call span with the gateway's attributes.
    static func modelSpan(parent: TraceContext) -> SpanData {
        let context = tracer.startSpan(parent: parent)
        let model = "gpt-4o-mini"
        var attributes: [(key: String, value: AttributeValue)] = []
        attributes += [
            ("gen_ai.operation.name", .string("chat")), ("gen_ai.system", .string("openai")),
            ("gen_ai.request.model", .string(model)), ("gen_ai.response.model", .string("openai:" + model)),
            ("agentd.attempts", .int(1)),
        ]
        attributes.append(("gen_ai.usage.input_tokens", .int(8)))
        attributes.append(("gen_ai.usage.output_tokens", .int(9)))
        attributes.append(("gen_ai.response.finish_reasons", .strings(["stop"])))
        return SpanData(
            context: context, parentSpanID: parent.spanID, name: "chat \(model)", kind: .client,
            startUnixNs: Tracer.nowUnixNs(), attributes: attributes
        )
    }

    static let batch = (0..<512).map { _ in modelSpan(parent: tracer.startSpan(parent: nil)) }

    static func run() {
        let parent = tracer.startSpan(parent: nil)
        report("trace context (a child span's id)") { _, count in
            for _ in 0..<count { _ = tracer.startSpan(parent: parent) }
        }
        report("model-call span built (9 attributes)") { _, count in
            for _ in 0..<count { _ = modelSpan(parent: parent) }
        }
        let span = modelSpan(parent: parent)
        report("model-call span encoded (OTLP JSON)") { _, count in
            for _ in 0..<count { _ = OTLPEncoder.encode(span) }
        }
        report("model-call span in a 512-span export body") { _, count in
            for _ in 0..<count / 512 { _ = OTLPEncoder.encode(batch, head: []) }
        }
        report("model-call span built and recorded (queued)") { _, count in
            for _ in 0..<count { tracer.record(modelSpan(parent: parent)) }
        }
    }
}
