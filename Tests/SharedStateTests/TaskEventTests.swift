import JSON
import Locks
import Redis
@testable import RedisState
import Tasks
import Testing

/// The task channel's messages (`RedisTaskEvent`) are parsed as pure functions of bytes, and a follower
/// (`TaskFollower`) turns the snapshot and the live messages around it into each event exactly once, in order.
@Suite struct TaskEventTests {
    static func record(_ status: TaskStatus, attempts: Int, result: String? = nil) -> TaskRecord {
        var record = TaskRecord(id: "task_1", createdAtMs: 1_000, input: TaskInput(message: "hi"), model: "mock:echo")
        record.status = status
        record.attempts = attempts
        record.result = result
        return record
    }

    /// The fields `publishStatus` would send for `record`, as a status message.
    static func statusMessage(_ record: TaskRecord) -> [UInt8] {
        var object: [(key: String, value: JSONValue)] = [
            ("in", .string(String(decoding: record.journalJSON.serialized(), as: UTF8.self))), ("s", .string(record.status.rawValue)),
            ("a", .string(String(record.attempts))),
        ]
        if let result = record.result { object.append(("r", .string(result))) }
        return Array("s|".utf8) + JSONValue.object(JSONObject(object)).serialized()
    }

    @Test func aTextMessageParsesWholeAndNoCutOfItParsesAsAnotherText() {
        let message = Array("t|2|17|héllo wörld".utf8)
        #expect(RedisTaskEvent.parse(message) == .text(attempt: 2, offset: 17, bytes: Array("héllo wörld".utf8)))
        for cut in 0..<message.count {
            let parsed = RedisTaskEvent.parse(Array(message[..<cut]))
            // A cut inside the text is a shorter text at the same offset; a cut before it is nothing.
            if case .text(let attempt, let offset, let bytes)? = parsed {
                #expect(attempt == 2 && offset == 17 && Array("héllo wörld".utf8).starts(with: bytes), "cut at \(cut)")
            } else {
                #expect(parsed == nil, "cut at \(cut)")
            }
        }
    }

    @Test func aStatusMessageParsesWholeAndNeverWhenCut() throws {
        let message = Self.statusMessage(Self.record(.completed, attempts: 1, result: "done"))
        guard case .status(let fields)? = RedisTaskEvent.parse(message) else {
            Issue.record("not a status")
            return
        }
        let record = try #require(fields.record)
        #expect(record.status == .completed && record.attempts == 1 && record.result == "done")
        for cut in 0..<message.count { #expect(RedisTaskEvent.parse(Array(message[..<cut])) == nil, "cut at \(cut)") }
    }

    @Test func aToolMessageParsesWholeAndNeverWhenCutBeforeItsJSONEnds() {
        let message = Array(#"k|2|tool_result|{"id":"call_1","name":"lookup","ok":true,"content":"é"}"#.utf8)
        guard case .tool(let attempt, let event)? = RedisTaskEvent.parse(message) else {
            Issue.record("not a tool event")
            return
        }
        #expect(attempt == 2 && event.kind == .toolResult && event.json["id"] == "call_1")
        for cut in 0..<message.count { #expect(RedisTaskEvent.parse(Array(message[..<cut])) == nil, "cut at \(cut)") }
        #expect(RedisTaskEvent.parse(Array(#"k|1|tool_dance|{}"#.utf8)) == nil)
    }

    @Test func toolEventsTheSnapshotHoldsAreNotRepeated() {
        let sink = Sink()
        let follower = TaskFollower(sink: sink.sink)
        let call = TaskToolEvent(kind: .toolCall, json: .object(JSONObject([("id", "c1"), ("name", "lookup")])))
        let result = TaskToolEvent(kind: .toolResult, json: .object(JSONObject([("id", "c1"), ("name", "lookup"), ("ok", true)])))
        let second = TaskToolEvent(kind: .toolCall, json: .object(JSONObject([("id", "c2"), ("name", "lookup")])))
        follower.live(.tool(attempt: 1, call))
        follower.live(.tool(attempt: 1, result))
        var record = Self.record(.running, attempts: 1)
        record.steps = [result.json]
        follower.snapshot(record, text: [])
        follower.live(.tool(attempt: 1, second))
        follower.live(.tool(attempt: 1, second))
        let tools = sink.events.withLock { $0 }.compactMap { if case .tool(let event) = $0 { event } else { nil } }
        #expect(tools == [second], "the first call and its result are in the snapshot's steps; the second call once")
    }

    @Test func malformedMessagesAreDroppedNotFatal() {
        for text in ["", "t", "t|", "t||1|x", "t|1||x", "t|a|1|x", "t|1|1", "x|1|1|y", "s|", "s|[1]", "s|{\"a\":1}", "t|1234567890123456789|0|x"] {
            #expect(RedisTaskEvent.parse(Array(text.utf8)) == nil, "\(text)")
        }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let count = Int.random(in: 0..<40, using: &random)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            if !bytes.isEmpty && Bool.random(using: &random) { bytes[0] = [UInt8(ascii: "t"), UInt8(ascii: "s")].randomElement()! }
            if bytes.count > 1 && Bool.random(using: &random) { bytes[1] = UInt8(ascii: "|") }
            _ = RedisTaskEvent.parse(bytes)
        }
    }

    /// Collects what the follower hands its sink.
    final class Sink: Sendable {
        let events = Locked<[TaskEvent]>([])
        var sink: @Sendable (TaskEvent) -> Void { { event in self.events.withLock { $0.append(event) } } }
        var texts: String {
            events.withLock { $0 }.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
        }
        var statuses: [TaskStatus] { events.withLock { $0 }.compactMap { if case .status(let record) = $0 { record.status } else { nil } } }
    }

    @Test func liveEventsThatTheSnapshotCoversAreNotRepeated() {
        let sink = Sink()
        let follower = TaskFollower(sink: sink.sink)
        // Subscribed: these arrive before the snapshot was read, which already has the first two pieces.
        follower.live(.status(RedisTaskFields(json: Self.statusMessage(Self.record(.running, attempts: 1))[2...])!))
        follower.live(.text(attempt: 1, offset: 0, bytes: Array("one ".utf8)))
        follower.live(.text(attempt: 1, offset: 4, bytes: Array("two ".utf8)))
        follower.live(.text(attempt: 1, offset: 8, bytes: Array("three".utf8)))
        let ended = follower.snapshot(Self.record(.running, attempts: 1), text: Array("one two ".utf8))
        #expect(!ended)
        follower.live(.text(attempt: 1, offset: 13, bytes: Array("!".utf8)))
        follower.live(.status(RedisTaskFields(json: Self.statusMessage(Self.record(.completed, attempts: 1, result: "one two three!"))[2...])!))
        follower.live(.text(attempt: 1, offset: 14, bytes: Array("late".utf8)))
        #expect(sink.texts == "one two three!")
        #expect(sink.statuses == [.running, .completed])
        #expect(follower.hasEnded)
    }

    @Test func anOlderStatusNeverFollowsANewerOneAndANewAttemptRestartsTheText() {
        let sink = Sink()
        let follower = TaskFollower(sink: sink.sink)
        // Held: attempt 1 ran and failed (pending again); the snapshot already shows attempt 2 running.
        follower.live(.status(RedisTaskFields(json: Self.statusMessage(Self.record(.running, attempts: 1))[2...])!))
        follower.live(.text(attempt: 1, offset: 0, bytes: Array("first try".utf8)))
        follower.live(.status(RedisTaskFields(json: Self.statusMessage(Self.record(.pending, attempts: 1))[2...])!))
        follower.snapshot(Self.record(.running, attempts: 2), text: Array("sec".utf8))
        follower.live(.text(attempt: 2, offset: 3, bytes: Array("ond".utf8)))
        #expect(sink.statuses == [.running])
        #expect(sink.texts == "second")
    }

    @Test func aFinishedTaskIsItsRecordAlone() {
        let sink = Sink()
        let follower = TaskFollower(sink: sink.sink)
        #expect(follower.snapshot(Self.record(.completed, attempts: 1, result: "x"), text: []))
        follower.live(.text(attempt: 1, offset: 0, bytes: Array("x".utf8)))
        #expect(sink.statuses == [.completed] && sink.texts.isEmpty)
    }

    @Test func aTaskDeletedWhileMessagesWereMissedEndsCancelled() {
        let sink = Sink()
        let follower = TaskFollower(sink: sink.sink)
        follower.snapshot(Self.record(.running, attempts: 1), text: [])
        follower.snapshotOfDeleted()
        #expect(sink.statuses == [.running, .cancelled])
        #expect(follower.hasEnded)
    }
}
