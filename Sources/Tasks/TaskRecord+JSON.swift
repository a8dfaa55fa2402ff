import JSON
import Logging

/// The two shapes of a record: the journal's (everything, to rebuild the store) and the API's (the fields of
/// docs/api.md, "The task record"; never the submitting client or the idempotency key).
extension TaskRecord {
    /// The record of docs/api.md ("The task record"): `task_id`, `status`, times in RFC 3339 UTC, `input_message`,
    /// `model`, `result`, `error`, `tokens_used`, `attempts`; and, beyond the original API (docs/api.md's last
    /// section), the agent, the callback URL and the webhook.
    public var publicJSON: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("task_id", .string(id)), ("status", .string(status.rawValue)), ("created_at", .string(TaskRecord.rfc3339(createdAtMs))),
        ]
        if let startedAtMs { members.append(("started_at", .string(TaskRecord.rfc3339(startedAtMs)))) }
        if let completedAtMs { members.append(("completed_at", .string(TaskRecord.rfc3339(completedAtMs)))) }
        members.append(("input_message", .string(input.message)))
        if let agent = input.agent { members.append(("agent", .string(agent))) }
        members.append(("model", .string(model)))
        if let result { members.append(("result", .string(result))) }
        if let error { members.append(("error", .string(error))) }
        if let tokensUsed { members.append(("tokens_used", .integer(tokensUsed))) }
        if !steps.isEmpty { members.append(("steps", .array(steps))) }
        members.append(("attempts", .integer(attempts)))
        if let url = input.callbackURL { members.append(("callback_url", .string(url))) }
        if let webhook { members.append(("webhook", webhook.json)) }
        return .object(JSONObject(members))
    }

    /// Milliseconds since the epoch as RFC 3339 UTC with milliseconds (`2026-11-22T10:43:53.123Z`).
    static func rfc3339(_ unixMs: Int64) -> String {
        var bytes: [UInt8] = []
        LogTimestamp.append(unixMs: unixMs, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every field, for the journal.
    public var journalJSON: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("id", .string(id)), ("status", .string(status.rawValue)), ("created_ms", .integer(Int(createdAtMs))),
            ("message", .string(input.message)), ("model", .string(model)), ("attempts", .integer(attempts)),
        ]
        func add(_ key: String, _ value: JSONValue?) { if let value { members.append((key, value)) } }
        add("started_ms", startedAtMs.map { .integer(Int($0)) })
        add("completed_ms", completedAtMs.map { .integer(Int($0)) })
        add("agent", input.agent.map(JSONValue.string))
        add("requested_model", input.model.map(JSONValue.string))
        add("system_prompt", input.systemPrompt.map(JSONValue.string))
        add("max_tokens", input.maxTokens.map(JSONValue.integer))
        add("callback_url", input.callbackURL.map(JSONValue.string))
        add("traceparent", input.traceparent.map(JSONValue.string))
        add("result", result.map(JSONValue.string))
        add("error", error.map(JSONValue.string))
        add("tokens_used", tokensUsed.map(JSONValue.integer))
        add("client", client.map(JSONValue.string))
        add("idempotency_key", idempotencyKey.map(JSONValue.string))
        if !steps.isEmpty { members.append(("steps", .array(steps))) }
        if let webhook { members.append(("webhook", webhook.json)) }
        return .object(JSONObject(members))
    }

    /// A record from its journal form; nil when a required field is missing or has the wrong type (a record
    /// written by a later version with another shape is skipped, not fatal).
    public init?(journal json: JSONValue) {
        guard let id = json["id"]?.stringValue, let statusName = json["status"]?.stringValue,
            let status = TaskStatus(rawValue: statusName), let created = json["created_ms"]?.intValue,
            let message = json["message"]?.stringValue, let model = json["model"]?.stringValue,
            let attempts = json["attempts"]?.intValue
        else { return nil }
        let input = TaskInput(
            message: message, agent: json["agent"]?.stringValue, model: json["requested_model"]?.stringValue,
            systemPrompt: json["system_prompt"]?.stringValue, maxTokens: json["max_tokens"]?.intValue,
            callbackURL: json["callback_url"]?.stringValue, traceparent: json["traceparent"]?.stringValue
        )
        self.init(
            id: id, status: status, createdAtMs: Int64(created), input: input, model: model, attempts: attempts,
            client: json["client"]?.stringValue, idempotencyKey: json["idempotency_key"]?.stringValue
        )
        startedAtMs = json["started_ms"]?.intValue.map(Int64.init)
        completedAtMs = json["completed_ms"]?.intValue.map(Int64.init)
        result = json["result"]?.stringValue
        error = json["error"]?.stringValue
        tokensUsed = json["tokens_used"]?.intValue
        if let state = json["webhook"] { webhook = WebhookState(json: state) }
        steps = json["steps"]?.arrayValue ?? []
    }
}

extension WebhookState {
    /// From its `json` form; nil without a `state`.
    public init?(json state: JSONValue) {
        guard let name = state["state"]?.stringValue else { return nil }
        let attempts = state["attempts"]?.intValue ?? 0
        switch name {
        case "delivered": self = .delivered(attempts: attempts, status: state["status"]?.intValue ?? 0)
        case "failed": self = .failed(attempts: attempts, reason: state["reason"]?.stringValue ?? "")
        default: self = .pending(attempts: attempts)
        }
    }

    /// `{"state", "attempts", "status"?, "reason"?}`: the same in the API's record and in the journal's.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("state", .string(name)), ("attempts", .integer(attempts))]
        if case .delivered(_, let status) = self { members.append(("status", .integer(status))) }
        if case .failed(_, let reason) = self { members.append(("reason", .string(reason))) }
        return .object(JSONObject(members))
    }
}

/// One journal record: a task's whole current state, or its deletion. Replaying them in order rebuilds the store.
enum TaskJournalEntry: Sendable, Equatable {
    case put(TaskRecord)
    case delete(id: String)

    var payload: [UInt8] {
        switch self {
        case .put(let record): JSONValue.object(JSONObject([("put", record.journalJSON)])).serialized()
        case .delete(let id): JSONValue.object(JSONObject([("delete", .string(id))])).serialized()
        }
    }

    /// nil for a payload that is not an entry (see `TaskRecord.init(journal:)`).
    init?(payload: [UInt8]) {
        guard let json = try? JSONValue.parse(payload) else { return nil }
        if let record = json["put"].flatMap(TaskRecord.init(journal:)) {
            self = .put(record)
        } else if let id = json["delete"]?.stringValue {
            self = .delete(id: id)
        } else {
            return nil
        }
    }
}
