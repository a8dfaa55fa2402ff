import HTTP
import Server
import Tracing

/// The server span of every API request (docs/api.md, Tracing): it continues the caller's `traceparent` (or starts a
/// trace), and the request goes on with this span as its `traceparent`, so every model call, tool and task
/// below it is its child. The span is recorded when the exchange ends (`serverSpan`), named and attributed per
/// OpenTelemetry's HTTP conventions. Probes and `/metrics` are not traced.
/// Owner: none; immutable.
struct RequestTracing: Sendable {
    let tracer: Tracer

    func wrap(_ handler: @escaping RouteHandler) -> RouteHandler {
        { request, responder in
            let parent = request.traceparent.flatMap(TraceContext.parse)
            let context = tracer.startSpan(parent: parent)
            var request = request
            request.trace = context
            responder.annotate(ExchangeNote(
                trace: ExchangeTrace(context: context, parentSpanID: parent?.spanID, startUnixNs: Tracer.nowUnixNs())
            ))
            handler(request, responder)
        }
    }

    /// Records a finished exchange's server span.
    func serverSpan(_ record: ExchangeRecord, trace: ExchangeTrace) {
        guard trace.context.sampled else { return }
        let method = record.method?.rawValue ?? "_OTHER"
        var attributes: [(key: String, value: AttributeValue)] = []
        attributes.reserveCapacity(8)
        attributes.append(("http.request.method", .string(method)))
        attributes.append(("http.response.status_code", .int(record.status)))
        attributes.append(("client.address", .string(record.remoteAddress)))
        attributes.append(("agentd.request_id", .string(record.requestID)))
        if let route = record.route { attributes.append(("http.route", .string(route))) }
        if let note = record.note {
            if let agent = note.agent { attributes.append(("agentd.agent", .string(agent))) }
            if let client = note.client { attributes.append(("agentd.client", .string(client))) }
        }
        var error: String?
        if !record.completed {
            error = "the client went away"
        } else if record.status >= 500 {
            error = "HTTP \(record.status)"
            attributes.append(("error.type", .string(String(record.status))))
        }
        tracer.record(SpanData(
            context: trace.context, parentSpanID: trace.parentSpanID, name: record.route.map { "\(method) \($0)" } ?? method,
            kind: .server, startUnixNs: trace.startUnixNs, attributes: attributes, error: error
        ))
    }
}
