import JSON
import Redis
import Tasks

/// A task's hash in Redis (`RedisTaskScripts`: `in`, `s`, `a`, …) as field → value, and the record it holds.
/// A plain value; pure functions of what Redis returned.
struct RedisTaskFields: Sendable, Equatable {
    var values: [String: String]

    /// From a script's flat `HGETALL` list (name, value, name, value, …); nil for anything else.
    init?(flat reply: RESPValue) {
        guard let items = reply.arrayValue, items.count % 2 == 0, !items.isEmpty else { return nil }
        var values: [String: String] = [:]
        for index in stride(from: 0, to: items.count, by: 2) {
            guard let name = items[index].bytes, let value = items[index + 1].bytes else { return nil }
            values[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        self.values = values
    }

    /// From a status event's JSON object of strings (`publishStatus`).
    init?(json bytes: ArraySlice<UInt8>) {
        guard case .object(let object)? = try? JSONValue.parse(Array(bytes)) else { return nil }
        var values: [String: String] = [:]
        for (name, value) in object.members {
            guard let text = value.stringValue else { return nil }
            values[name] = text
        }
        self.values = values
    }

    init(values: [String: String]) { self.values = values }

    /// The queue entry that holds the task now.
    var entry: String? { values["q"] }

    /// The record: the submitted one (`in`) with what happened since; nil when `in` is missing or unreadable
    /// (written by a later version in another shape).
    var record: TaskRecord? {
        guard let submitted = values["in"], let json = try? JSONValue.parse(Array(submitted.utf8)),
            var record = TaskRecord(journal: json)
        else { return nil }
        if let status = values["s"].flatMap(TaskStatus.init(rawValue:)) { record.status = status }
        if let attempts = values["a"].flatMap({ Int($0) }) { record.attempts = attempts }
        record.startedAtMs = values["st"].flatMap { Int64($0) }
        record.completedAtMs = values["ct"].flatMap { Int64($0) }
        if let model = values["m"], !model.isEmpty { record.model = model }
        record.result = values["r"]
        record.error = values["e"]
        record.tokensUsed = values["tk"].flatMap { Int($0) }
        if let steps = values["sp"], let json = try? JSONValue.parse(Array(steps.utf8)) { record.steps = json.arrayValue ?? [] }
        if let webhook = values["w"], let json = try? JSONValue.parse(Array(webhook.utf8)) {
            record.webhook = WebhookState(json: json)
        }
        return record
    }
}

/// One message on a task's event channel (`P ev:<id>`), as `RedisTaskScripts` publish them:
/// `t|<attempt>|<byte offset>|<text>`, `k|<attempt>|<tool_call or tool_result>|<the event's JSON>` or
/// `s|<the record's fields as a JSON object>`.
enum RedisTaskEvent: Sendable, Equatable {
    case text(attempt: Int, offset: Int, bytes: [UInt8])
    case tool(attempt: Int, TaskToolEvent)
    case status(RedisTaskFields)

    /// nil for a message of another shape (never from agentd's own scripts; dropped, not fatal).
    static func parse(_ message: [UInt8]) -> RedisTaskEvent? {
        guard message.count >= 2, message[1] == UInt8(ascii: "|") else { return nil }
        switch message[0] {
        case UInt8(ascii: "s"):
            return RedisTaskFields(json: message[2...]).map(RedisTaskEvent.status)
        case UInt8(ascii: "t"):
            var index = 2
            guard let attempt = number(message, &index), let offset = number(message, &index) else { return nil }
            return .text(attempt: attempt, offset: offset, bytes: Array(message[index...]))
        case UInt8(ascii: "k"):
            var index = 2
            guard let attempt = number(message, &index), let bar = message[index...].firstIndex(of: UInt8(ascii: "|")),
                let kind = TaskToolEvent.Kind(rawValue: String(decoding: message[index..<bar], as: UTF8.self)),
                let json = try? JSONValue.parse(Array(message[(bar + 1)...])), json.objectValue != nil
            else { return nil }
            return .tool(attempt: attempt, TaskToolEvent(kind: kind, json: json))
        default:
            return nil
        }
    }

    /// Decimal digits up to a `|`, which is consumed; nil without digits, without the bar, or past 18 digits.
    private static func number(_ bytes: [UInt8], _ index: inout Int) -> Int? {
        var value = 0
        var digits = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            guard digits < 18 else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: "|") else { return nil }
        index += 1
        return value
    }
}
