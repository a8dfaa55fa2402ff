import Locks
import Tasks

/// One client following a task through Redis: live events that arrive before the snapshot (the record and the
/// text so far) are held back, then replayed after it without what the snapshot already covered, so the client
/// gets everything once, in order.
///
/// Owner: `state` (a lock), taken by the subscriber's thread (live events) and by the thread that got the
/// snapshot; the sink runs under it, so events leave in order (sinks only queue work). Text is deduplicated by
/// the byte offset each piece was appended at (the text script appends and publishes in one step); statuses
/// by their place in the task's life (`rank`).
final class TaskFollower: Sendable {
    private struct State {
        var snapshotTaken = false
        var held: [RedisTaskEvent] = []
        var attempt = -1
        /// Bytes of the current attempt's text the client has.
        var offset = 0
        /// How far the client's record is in the task's life (`rank`): an older one is never sent after it.
        var lastRank = -1
        var ended = false
        /// The last record sent, for a task deleted while the subscriber was away.
        var lastRecord: TaskRecord?
        /// `<kind>:<call id>` of the tool events the client has (a result in a record counts for both).
        var tools: Set<String> = []
    }

    private let sink: @Sendable (TaskEvent) -> Void
    private let state = Locked(State())

    init(sink: @escaping @Sendable (TaskEvent) -> Void) { self.sink = sink }

    var hasEnded: Bool { state.withLock { $0.ended } }

    /// A message from the task's channel.
    func live(_ event: RedisTaskEvent) {
        state.withLock { state in
            if state.snapshotTaken { apply(event, &state) } else { state.held.append(event) }
        }
    }

    /// The record and the text its running attempt streamed so far (read after the subscription was
    /// confirmed): sent, then the held live events after them. Also after a reconnect, when messages may have
    /// been missed: what the client already has is skipped. Returns whether the task has ended.
    @discardableResult
    func snapshot(_ record: TaskRecord, text: [UInt8]) -> Bool {
        state.withLock { state in
            applyStatus(record, &state)
            if record.status == .running && record.attempts == state.attempt {
                apply(.text(attempt: record.attempts, offset: 0, bytes: text), &state)
            }
            for event in state.held { apply(event, &state) }
            state.held.removeAll()
            state.snapshotTaken = true
            return state.ended
        }
    }

    /// The task was deleted while messages were missed: its last record, cancelled, ends the stream.
    func snapshotOfDeleted() {
        state.withLock { state in
            guard var record = state.lastRecord, !state.ended else { return }
            if !record.status.isFinal { record.status = .cancelled }
            applyStatus(record, &state)
        }
    }

    private func apply(_ event: RedisTaskEvent, _ state: inout State) {
        guard !state.ended else { return }
        switch event {
        case .status(let fields):
            if let record = fields.record { applyStatus(record, &state) }
        case .tool(let attempt, let event):
            guard attempt == state.attempt, let id = event.json["id"]?.stringValue,
                state.tools.insert(event.kind.rawValue + ":" + id).inserted
            else { return }
            sink(.tool(event))
        case .text(let attempt, let offset, let bytes):
            guard attempt == state.attempt, offset + bytes.count > state.offset, !bytes.isEmpty else { return }
            // A piece the client has in part (never from the scripts' whole appends, but cheap to get right).
            let fresh = offset >= state.offset ? bytes[...] : bytes[(state.offset - offset)...]
            state.offset = offset + bytes.count
            sink(.text(String(decoding: fresh, as: UTF8.self)))
        }
    }

    private func applyStatus(_ record: TaskRecord, _ state: inout State) {
        guard !state.ended else { return }
        let rank = TaskFollower.rank(record)
        guard rank > state.lastRank else { return }
        state.lastRank = rank
        state.lastRecord = record
        if record.attempts != state.attempt {
            state.attempt = record.attempts
            state.offset = 0
            state.tools.removeAll()
        }
        for step in record.steps {
            guard let id = step["id"]?.stringValue else { continue }
            state.tools.insert("tool_call:" + id)
            state.tools.insert("tool_result:" + id)
        }
        sink(.status(record))
        if record.status.isFinal { state.ended = true }
    }

    /// The order of a task's records: queued (0), then per attempt n running (3n + 1) and queued again after it
    /// (3n + 2: a retryable failure or a hand-back), and a final status last.
    static func rank(_ record: TaskRecord) -> Int {
        switch record.status {
        case .pending: record.attempts == 0 ? 0 : record.attempts * 3 + 2
        case .running: record.attempts * 3 + 1
        case .completed, .failed, .cancelled: Int.max
        }
    }
}
