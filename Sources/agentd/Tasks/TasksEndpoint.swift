import Agent
import HTTP
import JSON
import Server
import Tasks

/// The task routes (docs/api.md, Tasks): submit, list, read, cancel and delete, follow as Server-Sent Events.
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

    /// The listing's default and largest page (docs/api.md, GET /tasks: `limit` 1 to 100, default 20).
    static let defaultListLimit = 20
    static let maxListLimit = 100
    /// Longest accepted `Idempotency-Key`.
    static let maxIdempotencyKeyLength = 255
    /// What a 503 asks the client to wait: a full queue drains in seconds, a journal that cannot write takes longer.
    static let queueFullRetryAfterSeconds = 2
    static let unavailableRetryAfterSeconds = 5

    func submit(_ request: HTTPRequest, _ responder: Responder) {
        var input: TaskInput
        let model: String
        let agent: AgentProfile
        let idempotencyKey: String?
        do throws(APIFailure) {
            (input, model, agent) = try decode(JSONBody(request))
            input.traceparent = request.traceparent
            idempotencyKey = try TasksEndpoint.idempotencyKey(request)
        } catch {
            responder.respond(error.contractResponse(requestID: request.id))
            return
        }
        if let refusal = ChatEndpoint.refusal(agent, request: request, keysConfigured: scopedToKeys) {
            responder.respond(refusal)
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

    private func decode(_ body: JSONBody) throws(APIFailure) -> (TaskInput, String, AgentProfile) {
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
            return (input, plan.model, plan.agent)
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

    func unavailable(_ reason: String, _ request: HTTPRequest) -> HTTPResponse {
        APIFailure(
            status: .serviceUnavailable, type: "unavailable", message: "tasks are not accepted now: \(reason)",
            retryAfterSeconds: TasksEndpoint.unavailableRetryAfterSeconds
        ).contractResponse(requestID: request.id)
    }

    func list(_ request: HTTPRequest, _ responder: Responder) {
        let query = request.queryParameters
        var status: TaskStatus?
        if let name = query["status"] {
            guard let known = TaskStatus(rawValue: name) else {
                let names = TaskStatus.allCases.map(\.rawValue).joined(separator: ", ")
                responder.respond(APIFailure.invalid("status must be one of \(names)", param: "status").contractResponse(requestID: request.id))
                return
            }
            status = known
        }
        var limit = TasksEndpoint.defaultListLimit
        if let text = query["limit"] {
            guard let value = Int(text), (1...TasksEndpoint.maxListLimit).contains(value) else {
                responder.respond(APIFailure.invalid("limit must be a whole number from 1 to \(TasksEndpoint.maxListLimit)", param: "limit")
                    .contractResponse(requestID: request.id))
                return
            }
            limit = value
        }
        guard let store = tasks.store else {
            responder.respond(unavailable(request))
            return
        }
        let owner = scopedToKeys ? request.client : nil
        store.list(status: status, limit: limit, client: owner) { result in
            switch result {
            case .success(let records):
                let body: JSONValue = ["tasks": .array(records.map(\.publicJSON)), "count": .integer(records.count)]
                responder.respond(.json(.ok, body.serialized()))
            case .failure(let failure):
                responder.respond(unavailable(failure.reason, request))
            }
        }
    }

    func read(_ request: HTTPRequest, _ responder: Responder) {
        withVisibleRecord(request, responder) { record in responder.respond(.json(.ok, record.publicJSON.serialized())) }
    }

    func delete(_ request: HTTPRequest, _ responder: Responder) {
        withVisibleRecord(request, responder) { [tasks] record in
            tasks.store?.delete(record.id) { result in
                switch result {
                case .success(let last?): responder.respond(.json(.ok, last.publicJSON.serialized()))
                case .success(nil): responder.respond(notFound(request))
                case .failure(let failure): responder.respond(unavailable(failure.reason, request))
                }
            }
        }
    }

    /// Runs `body` with the task named by the path if the client may see it; else answers 404 (or 503 when the
    /// store cannot be read).
    func withVisibleRecord(_ request: HTTPRequest, _ responder: Responder, _ body: @escaping @Sendable (TaskRecord) -> Void) {
        guard let store = tasks.store else {
            responder.respond(unavailable(request))
            return
        }
        guard let id = request.parameters["id"] else {
            responder.respond(notFound(request))
            return
        }
        let scopedToKeys = scopedToKeys, client = request.client
        store.read(id) { result in
            switch result {
            case .success(let record?) where !scopedToKeys || record.client == client: body(record)
            case .success: responder.respond(notFound(request))
            case .failure(let failure): responder.respond(unavailable(failure.reason, request))
            }
        }
    }

    func notFound(_ request: HTTPRequest) -> HTTPResponse {
        APIFailure(status: .notFound, type: "not_found", message: "no task \(request.parameters["id"] ?? "")")
            .contractResponse(requestID: request.id)
    }
}
