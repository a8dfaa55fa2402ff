import JSON

/// One durable background task: what was asked, where it is, and what came of it (docs/api.md, "The task record").
///
/// A value: the task store owns the current copy of each record; the journal holds its history.
public struct TaskRecord: Sendable, Equatable {
    /// `task_` and 24 hex digits (96 random bits).
    public let id: String
    public var status: TaskStatus
    public let createdAtMs: Int64
    public var startedAtMs: Int64?
    public var completedAtMs: Int64?
    public let input: TaskInput
    /// The model that was asked (`provider:model`), then the one that answered (after fallbacks).
    public var model: String
    public var result: String?
    public var error: String?
    public var tokensUsed: Int?
    /// How many times a worker started the task: a task that was running when the process died runs again.
    public var attempts: Int
    /// Who submitted it: an API key's name, or the client's address without keys. Never the key itself.
    public let client: String?
    public let idempotencyKey: String?
    /// Where the finished record is POSTed, and how that went.
    public var webhook: WebhookState?
    /// The tool calls of an agent with tools, with their results (the `/chat` answer's `steps`).
    public var steps: [JSONValue] = []

    public init(
        id: String, status: TaskStatus = .pending, createdAtMs: Int64, input: TaskInput, model: String,
        attempts: Int = 0, client: String? = nil, idempotencyKey: String? = nil
    ) {
        self.id = id
        self.status = status
        self.createdAtMs = createdAtMs
        self.input = input
        self.model = model
        self.attempts = attempts
        self.client = client
        self.idempotencyKey = idempotencyKey
        webhook = input.callbackURL == nil ? nil : .pending(attempts: 0)
    }
}

/// What a client asked a task to do: one message to an agent, with the same overrides `/chat` takes.
public struct TaskInput: Sendable, Equatable {
    public var message: String
    public var agent: String?
    public var model: String?
    public var systemPrompt: String?
    public var maxTokens: Int?
    public var callbackURL: String?
    /// The submitting request's trace context (`traceparent`): a run's span links to it.
    public var traceparent: String?

    public init(
        message: String, agent: String? = nil, model: String? = nil, systemPrompt: String? = nil, maxTokens: Int? = nil,
        callbackURL: String? = nil, traceparent: String? = nil
    ) {
        self.traceparent = traceparent
        self.message = message
        self.agent = agent
        self.model = model
        self.systemPrompt = systemPrompt
        self.maxTokens = maxTokens
        self.callbackURL = callbackURL
    }
}

/// How the webhook of a finished task went: journalled, so a delivery cut by a restart is made again.
public enum WebhookState: Sendable, Equatable {
    /// Not delivered yet (the task is not finished, or its delivery is under way).
    case pending(attempts: Int)
    case delivered(attempts: Int, status: Int)
    case failed(attempts: Int, reason: String)

    public var name: String {
        switch self {
        case .pending: "pending"
        case .delivered: "delivered"
        case .failed: "failed"
        }
    }

    public var attempts: Int {
        switch self {
        case .pending(let attempts), .delivered(let attempts, _), .failed(let attempts, _): attempts
        }
    }
}
