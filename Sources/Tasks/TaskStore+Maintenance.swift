import Dispatch

/// Webhooks, expiry of finished tasks, journal compaction and shutdown.
extension TaskStore {
    /// POSTs the finished record to its callback URL (if any) and journals how that went.
    func deliverWebhook(_ record: TaskRecord) {
        guard let webhooks, let url = record.input.callbackURL, record.status.isFinal else { return }
        let body = record.publicJSON.serialized()
        webhooks.deliver(taskID: record.id, url: url, body: body, traceparent: record.input.traceparent) { [self] outcome in
            state.withLock { state in
                guard var current = state.tasks[record.id] else { return }
                current.webhook = outcome
                state.tasks[record.id] = current
                let payload = TaskJournalEntry.put(current).payload
                state.track(record.id, bytes: payload.count)
                journal.write([payload]) { _ in }
            }
        }
    }

    /// Forgets finished tasks older than the retention (webhooks still under way wait) and idempotency keys older
    /// than 24 h; compacts the journal when it is mostly dead records. Runs from `startMaintenance`'s timer.
    public func sweep() {
        let now = clock.nowUnixMs
        state.withLock { state in
            var expired: [[UInt8]] = []
            for record in state.tasks.values where record.status.isFinal {
                guard let completed = record.completedAtMs, now - completed >= settings.retentionMs,
                    record.webhook?.name != "pending"
                else { continue }
                state.tasks[record.id] = nil
                state.track(record.id, bytes: nil)
                expired.append(TaskJournalEntry.delete(id: record.id).payload)
            }
            state.idempotency = state.idempotency.filter { _, id in
                guard let record = state.tasks[id] else { return false }
                return now - record.createdAtMs < settings.idempotencyMs
            }
            if !expired.isEmpty {
                state.order.removeAll { state.tasks[$0] == nil }
                journal.write(expired) { _ in }
            }
            compactIfWorthIt(&state)
        }
    }

    /// Under the lock: the snapshot and the rewrite are queued together, so the writes queued before are in it
    /// and those after land in the new file.
    private func compactIfWorthIt(_ state: inout State) {
        let size = journal.sizeBytes
        guard !state.compacting, size >= settings.compactionMinBytes, size > 2 * state.liveBytes else { return }
        state.compacting = true
        let live = state.order.compactMap { state.tasks[$0] }.map { TaskJournalEntry.put($0).payload }
        journal.rewrite(live: live) { [self] _ in
            queue.async { [self] in self.state.withLock { $0.compacting = false } }
        }
    }

    /// Sweeps every `intervalMs` on the store's queue until the returned timer is cancelled (the timer holds the
    /// store until then: cancel it at shutdown).
    public func startMaintenance(intervalMs: Int) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(intervalMs), repeating: .milliseconds(intervalMs), leeway: .milliseconds(100))
        timer.setEventHandler { [self] in sweep() }
        timer.resume()
        return timer
    }

    /// No new task starts or is accepted from now on (submissions get `.unavailable`).
    public func beginShutdown() { state.withLock { $0.stopping = true } }

    /// Graceful shutdown: no new task starts or is accepted; running ones get `graceMs` to finish. Those still
    /// running are abandoned: whatever their calls report later is not recorded (their transfers stop with the
    /// process), so they stay `running` in the journal and run again after the restart. Then the journal is synced
    /// and closed. Returns whether every running task finished in time.
    public func shutdown(graceMs: Int) -> Bool {
        beginShutdown()
        let deadlineMs = clock.nowMs + Int64(graceMs)
        var idle = state.withLock { $0.running.isEmpty }
        while !idle && clock.nowMs < deadlineMs {
            usleep(10_000)
            idle = state.withLock { $0.running.isEmpty }
        }
        state.withLock { $0.abandoned = true }
        journal.close()
        return idle
    }
}

#if canImport(Glibc)
import Glibc
#endif
