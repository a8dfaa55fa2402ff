import JSON
/// What the task store needs of its journal: the real one is `Journal`; tests may hand it one in memory.
///
/// Completions may run on any thread, even inside the call (a journal that cannot write answers at once);
/// the store never holds its lock when it is called back.
public protocol TaskJournaling: AnyObject, Sendable {
    var isWritable: Bool { get }
    var sizeBytes: Int { get }
    /// Appends records; `completion(true)` once they are on disk (written and synced), `false` if they are not.
    func write(_ payloads: [[UInt8]], completion: @escaping @Sendable (_ durable: Bool) -> Void)
    /// Replaces the journal's content with `live` (compaction), in order with the writes queued around it.
    func rewrite(live: [[UInt8]], completion: @escaping @Sendable (_ durable: Bool) -> Void)
    /// Writes what is queued, syncs, and stops.
    func close()
}

/// Runs one task through the agent pipeline (the same as `/chat`: retries, breaker, fallbacks, budgets, metrics).
public protocol TaskExecutor: Sendable {
    /// Starts `task`. `onText` gets the answer's pieces as they stream; `completion` runs once with the outcome,
    /// possibly before `execute` returns. The returned run cancels the call (its completion then still runs).
    func execute(
        _ task: TaskRecord, onText: @escaping @Sendable (String) -> Void,
        completion: @escaping @Sendable (TaskOutcome) -> Void
    ) -> TaskRun
    /// The same, with `onTool` told of each tool call and each result of an agent with tools, as they happen.
    /// A conformer implements one of the two: each defaults to the other.
    func execute(
        _ task: TaskRecord, onText: @escaping @Sendable (String) -> Void, onTool: @escaping @Sendable (TaskToolEvent) -> Void,
        completion: @escaping @Sendable (TaskOutcome) -> Void
    ) -> TaskRun
}

extension TaskExecutor {
    public func execute(
        _ task: TaskRecord, onText: @escaping @Sendable (String) -> Void,
        completion: @escaping @Sendable (TaskOutcome) -> Void
    ) -> TaskRun {
        execute(task, onText: onText, onTool: { _ in }, completion: completion)
    }

    public func execute(
        _ task: TaskRecord, onText: @escaping @Sendable (String) -> Void, onTool: @escaping @Sendable (TaskToolEvent) -> Void,
        completion: @escaping @Sendable (TaskOutcome) -> Void
    ) -> TaskRun {
        execute(task, onText: onText, completion: completion)
    }
}

/// A tool call of a running task, or its result: the `tool_call` and `tool_result` events of `/tasks/{id}/events`.
public struct TaskToolEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case toolCall = "tool_call"
        case toolResult = "tool_result"
    }

    public let kind: Kind
    /// A call: `{"id","name","arguments"}`; a result: the step, `{"id","name","arguments","ok","content"}`.
    public let json: JSONValue

    public init(kind: Kind, json: JSONValue) {
        self.kind = kind
        self.json = json
    }

    /// The event's body: `{"type": kind, …json}`.
    public var eventJSON: JSONValue {
        .object(JSONObject([("type", .string(kind.rawValue))] + (json.objectValue?.members ?? [])))
    }
}

/// How a run ended.
public enum TaskOutcome: Sendable, Equatable {
    /// `steps`: the tool calls an agent with tools made, with their results (`{"id","name","arguments","ok","content"}`).
    case completed(text: String, model: String, tokens: Int, steps: [JSONValue] = [])
    /// `retryable`: the failure may pass (the upstream was down, timed out or overloaded). The shared queue
    /// runs such a task again after its lease, up to `AGENTD_TASK_MAX_ATTEMPTS`; the local store fails it at once.
    case failed(error: String, model: String?, tokens: Int, retryable: Bool = false)
}

/// A started run: how to stop it.
public struct TaskRun: Sendable {
    public let cancel: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) { self.cancel = cancel }
}

/// POSTs a finished task's record to its callback URL, with retries; `completion` once with the final state.
public protocol TaskWebhookDelivering: Sendable {
    /// - Parameter traceparent: the submitting request's trace context (W3C), carried on to the receiver.
    func deliver(
        taskID: String, url: String, body: [UInt8], traceparent: String?, completion: @escaping @Sendable (WebhookState) -> Void
    )
}

/// What the store reports for metrics: counts by status, queue depth, finished tasks.
public protocol TaskStoreObserver: Sendable {
    func taskFinished(_ status: TaskStatus)
    /// A task (or its webhook) whose replica's lease lapsed was taken over by this one.
    func taskTakenOver()
}

extension TaskStoreObserver {
    public func taskTakenOver() {}
}

/// One event of a task, for `GET /tasks/{id}/events`: its record when its status changed, or a piece of text.
public enum TaskEvent: Sendable, Equatable {
    case status(TaskRecord)
    case text(String)
    case tool(TaskToolEvent)
}
