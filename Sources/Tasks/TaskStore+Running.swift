/// Workers: tasks leave the queue for the executor, at most `settings.workers` at once; their text and their end
/// come back here, and a cancellation stops them.
extension TaskStore {
    /// Starts queued tasks while workers are free.
    func pump() {
        let now = clock.nowUnixMs
        let starts = state.withLock { state -> [TaskRecord] in
            var starts: [TaskRecord] = []
            while !state.stopping && state.running.count < settings.workers, let id = state.pending.pop() {
                guard var record = state.tasks[id], record.status == .pending else { continue }
                record.status = .running
                record.attempts += 1
                record.startedAtMs = now
                record.steps = []
                state.tasks[id] = record
                state.running[id] = .some(nil)
                state.partial[id] = ""
                // Not awaited: a task that was running when the process died is queued again either way.
                let payload = TaskJournalEntry.put(record).payload
                state.track(id, bytes: payload.count)
                journal.write([payload]) { _ in }
                state.emit(id, .status(record))
                starts.append(record)
            }
            return starts
        }
        for record in starts {
            let attempt = record.attempts
            let run = executor.execute(
                record, onText: { [self] text in streamed(record.id, text) }, onTool: { [self] event in toolEvent(record.id, event) },
                completion: { [self] outcome in finished(record.id, attempt: attempt, outcome) }
            )
            let stillRunning = state.withLock { state -> Bool in
                guard state.running[record.id] != nil, state.tasks[record.id]?.attempts == attempt else { return false }
                state.running[record.id] = .some(run.cancel)
                return true
            }
            // Cancelled while `execute` was starting it: nobody else will stop it.
            if !stillRunning { run.cancel() }
        }
    }

    private func streamed(_ id: String, _ text: String) {
        state.withLock { state in
            guard !state.abandoned, state.running[id] != nil else { return }
            state.partial[id, default: ""] += text
            state.emit(id, .text(text))
        }
    }

    /// A tool call or result: to the followers, and a result to the running record (late followers see it).
    private func toolEvent(_ id: String, _ event: TaskToolEvent) {
        state.withLock { state in
            guard !state.abandoned, state.running[id] != nil else { return }
            if event.kind == .toolResult { state.tasks[id]?.steps.append(event.json) }
            state.emit(id, .tool(event))
        }
    }

    private func finished(_ id: String, attempt: Int, _ outcome: TaskOutcome) {
        let now = clock.nowUnixMs
        let ended = state.withLock { state -> TaskRecord? in
            guard !state.abandoned, var record = state.tasks[id], record.status == .running, record.attempts == attempt,
                state.running.removeValue(forKey: id) != nil
            else { return nil }
            switch outcome {
            case .completed(let text, let model, let tokens, let steps):
                record.status = .completed
                record.steps = steps
                record.result = text
                record.model = model
                record.tokensUsed = tokens
                record.error = nil
            case .failed(let error, let model, let tokens, _):
                record.status = .failed
                record.error = error
                if let model { record.model = model }
                record.tokensUsed = tokens
            }
            record.completedAtMs = now
            state.tasks[id] = record
            state.partial[id] = nil
            let payload = TaskJournalEntry.put(record).payload
            state.track(id, bytes: payload.count)
            journal.write([payload]) { _ in }
            state.emit(id, .status(record))
            state.subscribers[id] = nil
            return record
        }
        guard let ended else { return }
        observer?.taskFinished(ended.status)
        deliverWebhook(ended)
        pump()
    }

    /// Cancels the task if it is pending or running, then deletes it; `completion` gets its last record once the
    /// deletion is on disk, or nil when there is no such task.
    public func cancelAndDelete(_ id: String, completion: @escaping @Sendable (TaskRecord?) -> Void) {
        let now = clock.nowUnixMs
        let (last, cancel, wasLive) = state.withLock { state -> (TaskRecord?, (@Sendable () -> Void)?, Bool) in
            guard var record = state.tasks[id] else { return (nil, nil, false) }
            var cancel: (@Sendable () -> Void)?
            let wasLive = !record.status.isFinal
            if wasLive {
                if record.status == .pending { state.pending.remove(id) }
                if let slot = state.running.removeValue(forKey: id) { cancel = slot }
                record.status = .cancelled
                record.completedAtMs = now
                state.emit(id, .status(record))
            }
            state.subscribers[id] = nil
            state.tasks[id] = nil
            state.partial[id] = nil
            state.track(id, bytes: nil)
            if let key = record.idempotencyKey { state.idempotency[TaskStore.idempotencySlot(record.client, key)] = nil }
            let last = record
            journal.write([TaskJournalEntry.delete(id: id).payload]) { [self] _ in queue.async { completion(last) } }
            return (record, cancel, wasLive)
        }
        guard last != nil else {
            completion(nil)
            return
        }
        if wasLive { observer?.taskFinished(.cancelled) }
        cancel?()
        pump()
    }

    /// Follows a task: `sink` gets its record and the text it streamed so far at once, then every event until it
    /// ends, in order. Returns nil when there is no such task, `.some(nil)` when it has already finished (its record
    /// was the last event), else the subscription's token for `unsubscribe`.
    public func subscribe(_ id: String, sink: @escaping @Sendable (TaskEvent) -> Void) -> Int?? {
        state.withLock { state -> Int?? in
            guard let record = state.tasks[id] else { return nil }
            sink(.status(record))
            guard !record.status.isFinal else { return .some(nil) }
            if let partial = state.partial[id], !partial.isEmpty { sink(.text(partial)) }
            let token = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id, default: [:]][token] = sink
            return .some(token)
        }
    }

    public func unsubscribe(_ id: String, _ token: Int) {
        state.withLock { state in
            state.subscribers[id]?[token] = nil
            if state.subscribers[id]?.isEmpty == true { state.subscribers[id] = nil }
        }
    }
}

extension TaskStore.State {
    /// Hands an event to the task's subscribers, in order (under the store's lock: sinks only queue a write).
    func emit(_ id: String, _ event: TaskEvent) {
        guard let sinks = subscribers[id] else { return }
        for sink in sinks.values { sink(event) }
    }
}
