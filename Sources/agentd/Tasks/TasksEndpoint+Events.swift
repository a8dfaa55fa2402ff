import HTTP
import JSON
import Server
import Tasks

/// `GET /tasks/{id}/events`: the task's record now (and the text it streamed so far), then `status` and `text`
/// events as they happen, until a final status ends the stream.
///
/// Events: `event: status` with the record as data; `event: text` with `{"content": "..."}`. Keep-alive comments
/// when nothing happened for the keep-alive interval. A client that leaves stops its subscription only; the task
/// goes on.
extension TasksEndpoint {
    static let eventHeaders: HTTPHeaders = [
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
    ]

    func events(_ request: HTTPRequest, _ responder: Responder) {
        withVisibleRecord(request, responder) { [self] visible in
            guard let store = tasks.store else { return }
            let bridge = StreamBridge(responder: responder, headers: TasksEndpoint.eventHeaders, keepAliveMs: keepAliveMs)
            // The store hands the current record (and the text so far) to the sink first, so no live event can
            // overtake it. The sink only queues each event on the client's loop, in order: writing there and then
            // may end the connection and run its cancel handler, which may take the store's lock again. (`execute`: the
            // connection's loop, in order.)
            store.follow(visible.id, sink: { event in
                responder.execute {
                    switch event {
                    case .text(let text):
                        _ = bridge.send(TasksEndpoint.textEvent(text))
                    case .tool(let tool):
                        let data = String(decoding: tool.eventJSON.serialized(), as: UTF8.self)
                        _ = bridge.send(ServerSentEvent(event: tool.kind.rawValue, data: data).encoded())
                    case .status(let record):
                        _ = bridge.send(TasksEndpoint.statusEvent(record))
                        if record.status.isFinal { bridge.finish() }
                    }
                }
            }) { result in
                switch result {
                case .success(.notFound):
                    // Deleted between the two lookups.
                    responder.execute {
                        bridge.sendLast(TasksEndpoint.statusEvent(TasksEndpoint.cancelledRecord(visible)))
                        bridge.finish()
                    }
                case .success(.ended):
                    // Finished: its record was the whole story (the sink ended the stream).
                    break
                case .success(.following(let stop)):
                    responder.onCancel {
                        stop()
                        bridge.stop()
                    }
                case .failure(let failure):
                    let response = unavailable(failure.reason, request)
                    responder.execute { if !bridge.failBeforeStart(response) { bridge.finish() } }
                }
            }
        }
    }

    static func cancelledRecord(_ record: TaskRecord) -> TaskRecord {
        var record = record
        if !record.status.isFinal { record.status = .cancelled }
        return record
    }

    static func statusEvent(_ record: TaskRecord) -> [UInt8] {
        ServerSentEvent(event: "status", data: String(decoding: record.publicJSON.serialized(), as: UTF8.self)).encoded()
    }

    static func textEvent(_ text: String) -> [UInt8] {
        ServerSentEvent(event: "text", data: String(decoding: JSONValue.object(["content": .string(text)]).serialized(), as: UTF8.self)).encoded()
    }
}
