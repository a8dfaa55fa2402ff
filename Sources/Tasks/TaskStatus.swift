/// Where a task is in its life (docs/api.md, The task record). `pending` and `running` are live; the others final.
public enum TaskStatus: String, Sendable, CaseIterable {
    case pending, running, completed, failed, cancelled

    /// Completed, failed or cancelled: nothing more happens to the task but its webhook and its expiry.
    public var isFinal: Bool {
        switch self {
        case .pending, .running: false
        case .completed, .failed, .cancelled: true
        }
    }
}
