import Agent
import HTTP
import JSON
import Server
import Tasks

/// The task routes (contract: Tasks): submit, list, read, cancel and delete, follow as Server-Sent Events.
///
/// With API keys configured, a key sees only the tasks it submitted (another key's task is a 404); without keys
/// every client sees every task. Owner: none; immutable, the store guards its own state.
struct TasksEndpoint: Sendable {
    let tasks: TaskService
    let service: ChatService
    let limits: ChatLimits
    /// Tasks belong to the key that submitted them (API keys are configured).
    let scopedToKeys: Bool
    let keepAliveMs: Int

    /// The listing's default and largest page (the contract: `limit=1..100`, default 20).
    static let defaultListLimit = 20
    static let maxListLimit = 100
    /// Longest accepted `Idempotency-Key`.
    static let maxIdempotencyKeyLength = 255
    /// What a 503 asks the client to wait: a full queue drains in seconds, a journal that cannot write takes longer.
    static let queueFullRetryAfterSeconds = 2
    static let unavailableRetryAfterSeconds = 5

    func submit(_ request: HTTPRequest, _ responder: Responder) {
        let input: TaskInput
        let model: String
        let idempotencyKey: String?
        do throws(APIFailure) {
            (input, model) = try decode(JSONBody(request))
            idempotencyKey = try TasksEndpoint.idempotencyKey(request)
        } catch {
            responder.respond(error.contractResponse(requestID: request.id))
            return
        }
        guard let store = tasks.store, tasks.notReadyReason == nil else {
            responder.respond(unavailable(tasks.notReadyReason ?? "tasks are not available", request))
            return
        }
        let client = request.client
        store.submit(input, model: model, client: client, idempotencyKey: idempotencyKey) { submission in
            switch submission {
            case .accepted(let record):
                responder.respond(TasksEndpoint.acknowledgement(record, status: .accepted))
            case .existing(let record):
                responder.respond(TasksEndpoint.acknowledgement(record, status: .ok))
            case .queueFull:
                let failure = APIFailure(
                    status: .serviceUnavailable, type: "unavailable", message: "the task queue is full",
                    retryAfterSeconds: TasksEndpoint.queueFullRetryAfterSeconds
                )
                responder.respond(failure.contractResponse(requestID: request.id))
            case .unavailable(let reason):
                responder.respond(unavailable(reason, request))
            }
        }
    }

    private func decode(_ body: JSONBody) throws(APIFailure) -> (TaskInput, String) {
        let fields = try TurnFields(body, limits: limits)
        let input = TaskInput(
            message: fields.message, agent: fields.agent, model: fields.model, systemPrompt: fields.systemPrompt,
            maxTokens: fields.maxTokens, callbackURL: try body.string("callback_url", maxLength: 4096)
        )
        if let url = input.callbackURL, let problem = CallbackURL.validate(url) {
            throw .invalid("callback_url: \(problem)", param: "callback_url")
        }
        // The agent and model must exist now: a task that cannot run is a 400, not a failed task later. No
        // conversation is read or made for it.
        do {
            let plan = try service.validate(ChatTurnInput(
                message: input.message, agent: input.agent, model: input.model, systemPrompt: input.systemPrompt, maxTokens: input.maxTokens
            ))
            return (input, plan.model)
        } catch {
            throw .invalid(error.field.map { "\($0): " + error.message } ?? error.message, param: error.field)
        }
    }

    /// `Idempotency-Key`: 1 to 255 visible ASCII characters, or absent.
    static func idempotencyKey(_ request: HTTPRequest) throws(APIFailure) -> String? {
        guard let key = request.headers["Idempotency-Key"] else { return nil }
        guard !key.isEmpty, key.utf8.count <= maxIdempotencyKeyLength, key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalid("Idempotency-Key must be 1 to \(maxIdempotencyKeyLength) visible ASCII characters", param: "Idempotency-Key")
        }
        return key
    }

    static func acknowledgement(_ record: TaskRecord, status: HTTPStatus) -> HTTPResponse {
        let location = "/tasks/\(record.id)"
        let body: JSONValue = ["task_id": .string(record.id), "status": .string(record.status.rawValue), "status_url": .string(location)]
        return .json(status, body.serialized(), headers: ["Location": location])
    }

    /// 503 while the store is not open (replaying, or its journal unreadable).
    func unavailable(_ request: HTTPRequest) -> HTTPResponse { unavailable(tasks.notReadyReason ?? "starting", request) }

    private func unavailable(_ reason: String, _ request: HTTPRequest) -> HTTPResponse {
        APIFailure(
            status: .serviceUnavailable, type: "unavailable", message: "tasks are not accepted now: \(reason)",
            retryAfterSeconds: TasksEndpoint.unavailableRetryAfterSeconds
        ).contractResponse(requestID: request.id)
    }

    func list(_ request: HTTPRequest) -> HTTPResponse {
        let query = request.queryParameters
        var status: TaskStatus?
        if let name = query["status"] {
            guard let known = TaskStatus(rawValue: name) else {
                let names = TaskStatus.allCases.map(\.rawValue).joined(separator: ", ")
                return APIFailure.invalid("status must be one of \(names)", param: "status").contractResponse(requestID: request.id)
            }
            status = known
        }
        var limit = TasksEndpoint.defaultListLimit
        if let text = query["limit"] {
            guard let value = Int(text), (1...TasksEndpoint.maxListLimit).contains(value) else {
                return APIFailure.invalid("limit must be a whole number from 1 to \(TasksEndpoint.maxListLimit)", param: "limit")
                    .contractResponse(requestID: request.id)
            }
            limit = value
        }
        guard let store = tasks.store else { return unavailable(request) }
        let owner = scopedToKeys ? request.client : nil
        let records = store.list(status: status, limit: limit, client: owner)
        let body: JSONValue = ["tasks": .array(records.map(\.publicJSON)), "count": .integer(records.count)]
        return .json(.ok, body.serialized())
    }

    func read(_ request: HTTPRequest) -> HTTPResponse {
        guard let store = tasks.store else { return unavailable(request) }
        guard let record = visibleRecord(request, store) else { return notFound(request) }
        return .json(.ok, record.publicJSON.serialized())
    }

    func delete(_ request: HTTPRequest, _ responder: Responder) {
        guard let store = tasks.store else {
            responder.respond(unavailable(request))
            return
        }
        guard let record = visibleRecord(request, store) else {
            responder.respond(notFound(request))
            return
        }
        store.cancelAndDelete(record.id) { last in
            guard let last else {
                responder.respond(notFound(request))
                return
            }
            responder.respond(.json(.ok, last.publicJSON.serialized()))
        }
    }

    /// The task named by the path, if the client may see it.
    func visibleRecord(_ request: HTTPRequest, _ store: TaskStore) -> TaskRecord? {
        guard let id = request.parameters["id"], let record = store.record(id) else { return nil }
        if scopedToKeys && record.client != request.client { return nil }
        return record
    }

    func notFound(_ request: HTTPRequest) -> HTTPResponse {
        APIFailure(status: .notFound, type: "not_found", message: "no task \(request.parameters["id"] ?? "")")
            .contractResponse(requestID: request.id)
    }
}
