import Tasks

/// The task families (docs/api.md, Observability surface): `agentd_tasks_finished_total{status}` as tasks end, and the
/// gauges `agentd_tasks{status}` and `agentd_task_queue_depth` brought up to date at scrape time.
struct TaskMetrics: TaskStoreObserver {
    let metrics: AgentdMetrics

    func taskFinished(_ status: TaskStatus) { metrics.tasksFinished.labels(status.rawValue).increment() }

    func taskTakenOver() { metrics.taskTakeovers.series.increment() }

    func refresh(from store: any TaskStoring) {
        let stats = store.stats
        for status in TaskStatus.allCases { metrics.tasks.labels(status.rawValue).set(Double(stats.byStatus[status] ?? 0)) }
        metrics.taskQueueDepth.series.set(Double(stats.queued))
    }
}
