import Tasks
import Tracing

/// The webhook sender as the task store sees it: a delivery's end as the journalled webhook state.
///
/// A delivery carries the submitting request's trace on (docs/api.md, Tracing and Webhooks). Traced, it is a client
/// span of its own under that request's span (every attempt, the outcome), and its `traceparent` names that span;
/// untraced, the caller's `traceparent` passes as it came, if it is a valid one.
/// Owner: none; immutable.
struct TaskWebhooks: TaskWebhookDelivering {
    let sender: WebhookSender
    var tracer: Tracer?

    func deliver(
        taskID: String, url: String, body: [UInt8], traceparent: String?, completion: @escaping @Sendable (WebhookState) -> Void
    ) {
        let parent = traceparent.flatMap(TraceContext.parse)
        let span = tracer.map { tracer in (tracer, tracer.startSpan(parent: parent), Tracer.nowUnixNs()) }
        let header = span?.1.traceparent ?? parent?.traceparent
        sender.deliver(taskID: taskID, url: url, body: body, traceparent: header) { outcome in
            if let (tracer, context, startUnixNs) = span {
                tracer.record(TaskWebhooks.span(outcome, taskID: taskID, url: url, context: context, parent: parent, startUnixNs: startUnixNs))
            }
            switch outcome {
            case .delivered(let attempts, let status): completion(.delivered(attempts: attempts, status: status))
            case .failed(let attempts, let reason): completion(.failed(attempts: attempts, reason: reason))
            }
        }
    }

    /// The delivery's span, named as OpenTelemetry's HTTP client spans are (the method); the URL without its query,
    /// which may hold a token.
    static func span(
        _ outcome: WebhookOutcome, taskID: String, url: String, context: TraceContext, parent: TraceContext?, startUnixNs: UInt64
    ) -> SpanData {
        var attributes: [(key: String, value: AttributeValue)] = [
            ("http.request.method", .string("POST")), ("url.full", .url(url)),
            ("agentd.task_id", .string(taskID)),
        ]
        var error: String?
        switch outcome {
        case .delivered(let attempts, let status):
            attributes += [("http.response.status_code", .int(status)), ("agentd.webhook.attempts", .int(attempts))]
        case .failed(let attempts, let reason):
            attributes += [("agentd.webhook.attempts", .int(attempts)), ("error.type", .string("webhook_failed"))]
            error = reason
        }
        return SpanData(
            context: context, parentSpanID: parent?.spanID, name: "POST", kind: .client, startUnixNs: startUnixNs,
            attributes: attributes, error: error
        )
    }
}
