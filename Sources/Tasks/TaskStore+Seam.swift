/// The local store behind the routes' seam: every answer is at hand in memory, so each completion runs at once.
extension TaskStore {
    public func read(_ id: String, completion: @escaping @Sendable (Result<TaskRecord?, TaskStoreUnavailable>) -> Void) {
        completion(.success(record(id)))
    }

    public func list(
        status: TaskStatus?, limit: Int, client: String?,
        completion: @escaping @Sendable (Result<[TaskRecord], TaskStoreUnavailable>) -> Void
    ) {
        completion(.success(list(status: status, limit: limit, client: client)))
    }

    public func delete(_ id: String, completion: @escaping @Sendable (Result<TaskRecord?, TaskStoreUnavailable>) -> Void) {
        cancelAndDelete(id) { completion(.success($0)) }
    }

    public func follow(
        _ id: String, sink: @escaping @Sendable (TaskEvent) -> Void,
        completion: @escaping @Sendable (Result<TaskFollowing, TaskStoreUnavailable>) -> Void
    ) {
        switch subscribe(id, sink: sink) {
        case nil: completion(.success(.notFound))
        case .some(nil): completion(.success(.ended))
        case .some(let token?): completion(.success(.following(stop: { [self] in unsubscribe(id, token) })))
        }
    }

    public var stats: TaskQueueStats {
        let now = clock.nowUnixMs
        return state.withLock { state in
            var stats = TaskQueueStats()
            for record in state.tasks.values { stats.byStatus[record.status, default: 0] += 1 }
            stats.queued = state.pending.count
            stats.runningHere = state.running.count
            if let oldest = state.pending.first(where: { state.tasks[$0]?.status == .pending }), let record = state.tasks[oldest] {
                stats.oldestPendingAgeMs = max(0, now - record.createdAtMs)
            }
            return stats
        }
    }

    public var notWritableReason: String? { journal.isWritable ? nil : "the task journal cannot be written" }
}
