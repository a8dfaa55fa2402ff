import Dispatch
import JSON
import Logging
import Redis
import Tasks

/// The workers: entries come from the shared queue (new ones by a blocking read, lapsed ones by the janitor),
/// each is started by a script (attempts counted, or failed past the limit), runs through the executor with its
/// lease renewed, streams its text at a bounded rate, and ends with the final record stored.
extension RedisTaskStore {
    public func start() {
        subscriber.subscribeForever(prefix + "cancel") { [self] delivery in
            // A missed cancel (the subscriber was away) is found by the next renewal: the task is gone.
            guard case .message(let bytes) = delivery else { return }
            abandon(String(decoding: bytes, as: UTF8.self), reason: "cancelled")
        }
        subscriber.start()
        queueClient.start()
        let timers = [
            timer(every: settings.janitorIntervalMs) { [self] in
                claimLapsed()
                _ = stats   // keeps the gauges and /health's reading at most a tick old
            },
            timer(every: settings.renewIntervalMs) { [self] in renewLeases() },
            timer(every: settings.sweepIntervalMs) { [self] in sweep() },
        ]
        state.withLock { $0.timers = timers }
        createGroup { [self] in pump() }
    }

    private func timer(every intervalMs: Int, _ work: @escaping @Sendable () -> Void) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(intervalMs), repeating: .milliseconds(intervalMs), leeway: .milliseconds(intervalMs / 10))
        timer.setEventHandler(handler: work)
        timer.resume()
        return timer
    }

    /// The consumer group, from the start of the stream (entries added before it existed are read too).
    /// `BUSYGROUP` (it exists) is the normal answer; `then` runs either way.
    func createGroup(then: @escaping @Sendable () -> Void) {
        client.send(["XGROUP", "CREATE", prefix + "queue", "workers", "0", "MKSTREAM"], operation: "task_group") { _ in then() }
    }

    /// Reads new entries for the free worker slots (one read at a time, blocking up to `blockMs` on the server).
    func pump() {
        let count = state.withLock { state -> Int in
            guard !state.stopping, !state.reading else { return 0 }
            let free = settings.workers - state.slotsTaken
            guard free > 0 else { return 0 }
            state.reading = true
            state.slotsTaken += free
            return free
        }
        guard count > 0 else { return }
        let command = [
            "XREADGROUP", "GROUP", "workers", settings.replica, "COUNT", String(count), "BLOCK", String(settings.blockMs),
            "STREAMS", prefix + "queue", ">",
        ]
        queueClient.send(command, operation: "task_take") { [self] result in
            var taken: [(entry: String, id: String)] = []
            var failure: RedisError?
            switch result {
            case .success(let reply): taken = RedisTaskStore.streamEntries(reply)
            case .failure(let error): failure = error
            }
            state.withLock { state in
                state.reading = false
                state.slotsTaken -= count - taken.count
            }
            for item in taken { begin(entry: item.entry, id: item.id) }
            guard let failure else {
                pump()
                return
            }
            // Redis is away, or the group is gone (a Redis that lost its data): try again shortly.
            if failure.serverErrorCode == "NOGROUP" {
                createGroup { [self] in pump() }
            } else {
                clock.schedule(afterMs: 500, on: queue) { [weak self] in self?.pump() }
            }
        }
    }

    /// Entries whose lease lapsed (their replica died or stalled, or a retryable failure waits out its lease)
    /// go back to the queue, where the replicas' readers take them: taken over.
    func claimLapsed() {
        guard !state.withLock({ $0.stopping }) else { return }
        let arguments = [prefix, settings.replica, String(settings.leaseMs)]
        client.run(RedisTaskScripts.reclaim, keys: [], arguments: arguments, operation: "task_claim") { [self] result in
            guard case .success(let reply) = result, let counts = reply.arrayValue, counts.count == 2,
                let moved = counts[0].integerValue, let taken = counts[1].integerValue, moved > 0
            else { return }
            for _ in 0..<taken { observer?.taskTakenOver() }
            logger.log(taken > 0 ? .warning : .info, "tasks whose lease lapsed are queued again", [
                "tasks": .int(Int(moved)), "taken_over": .int(Int(taken)), "replica": .string(settings.replica),
            ])
        }
    }

    /// Starts what entry `entry` (holding a worker slot) asks for: a run, a webhook, or nothing.
    func begin(entry: String, id: String) {
        let arguments = [prefix, id, entry, settings.replica, String(clock.nowUnixMs), String(settings.maxAttempts)]
        state.withLock { $0.starting += 1 }
        client.run(RedisTaskScripts.start, keys: [], arguments: arguments, operation: "task_start") { [self] result in
            let items = (try? result.get())?.arrayValue ?? []
            let record = items.count == 2 ? RedisTaskFields(flat: items[1])?.record : nil
            let settled: @Sendable () -> Void = { [state] in state.withLock { $0.starting -= 1 } }
            switch (items.first?.integerValue, record) {
            case (1?, let record?):
                run(record, entry: entry, settled: settled)
            case (2?, let record?):
                settled()
                releaseSlot()
                observer?.taskFinished(.failed)
                if record.webhook?.name == "pending" { deliverWebhook(record, entry: entry) }
            case (3?, let record?):
                settled()
                releaseSlot()
                deliverWebhook(record, entry: entry)
            default:
                settled()
                // Nothing to do, or Redis did not answer: an entry left unacknowledged lapses and is claimed again.
                releaseSlot()
            }
        }
    }

    func releaseSlot() {
        state.withLock { $0.slotsTaken -= 1 }
        pump()
    }

    /// `settled` runs once the task is held (shutdown hands it back from there), or back in the queue.
    private func run(_ record: TaskRecord, entry: String, settled: @escaping @Sendable () -> Void) {
        let id = record.id, attempt = record.attempts
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.held[id] = Held(kind: .run, entry: entry, attempt: attempt)
            return true
        }
        guard accepted else {
            // Started while the replica began to stop: back to the queue now, for another replica.
            handBack([(id, entry)]) { _ in settled() }
            releaseSlot()
            return
        }
        settled()
        let run = executor.execute(
            record, onText: { [self] text in streamed(id, attempt: attempt, text) },
            onTool: { [self] event in toolEvent(id, attempt: attempt, event) },
            completion: { [self] outcome in finished(id, attempt: attempt, outcome) }
        )
        let stillHeld = state.withLock { state -> Bool in
            guard state.held[id]?.attempt == attempt, state.held[id]?.kind == .run else { return false }
            state.held[id]?.cancel = run.cancel
            return true
        }
        // Cancelled while `execute` was starting it: nobody else will stop it.
        if !stillHeld { run.cancel() }
    }

    // MARK: Text and tool events, in order, text at a bounded rate

    private func streamed(_ id: String, attempt: Int, _ text: String) {
        queuePiece(id, attempt: attempt, .text(Array(text.utf8)), delayMs: settings.textFlushMs)
    }

    private func toolEvent(_ id: String, attempt: Int, _ event: TaskToolEvent) {
        queuePiece(id, attempt: attempt, .tool(event), delayMs: 0)
    }

    /// Adds a piece behind those not yet written (text joins text) and schedules a write unless one is under way
    /// or due (a tool event is written at once; text waits up to `textFlushMs` for more).
    private func queuePiece(_ id: String, attempt: Int, _ piece: Held.Piece, delayMs: Int) {
        let schedule = state.withLock { state -> Int? in
            guard var held = state.held[id], held.attempt == attempt, held.kind == .run else { return nil }
            if case .text(let more) = piece, case .text(let earlier)? = held.pieces.last {
                held.pieces[held.pieces.count - 1] = .text(earlier + more)
            } else {
                held.pieces.append(piece)
            }
            defer { state.held[id] = held }
            guard !held.flushScheduled && !held.flushing else { return nil }
            held.flushScheduled = true
            held.flushNumber += 1
            return held.flushNumber
        }
        if let number = schedule { clock.schedule(afterMs: delayMs, on: queue) { [weak self] in self?.flush(id, attempt: attempt, number: number) } }
    }

    /// Writes the oldest piece not yet written (one write in flight per run, so pieces land in order), then the
    /// next, then the run's end if it came meanwhile.
    private func flush(_ id: String, attempt: Int, number: Int) {
        enum Next { case nothing, write(Held.Piece), finish(TaskOutcome) }
        let next = state.withLock { state -> Next in
            guard var held = state.held[id], held.attempt == attempt, held.kind == .run, held.flushNumber == number else { return .nothing }
            held.flushScheduled = false
            defer { state.held[id] = held }
            if !held.pieces.isEmpty {
                held.flushing = true
                return .write(held.pieces.removeFirst())
            }
            held.flushing = false
            if let outcome = held.outcome { return .finish(outcome) }
            return .nothing
        }
        let script: RedisScript, arguments: [[UInt8]], operation: String
        switch next {
        case .nothing:
            return
        case .finish(let outcome):
            store(id, attempt: attempt, outcome)
            return
        case .write(.text(let text)):
            (script, operation) = (RedisTaskScripts.text, "task_text")
            arguments = [bytes(prefix), bytes(id), bytes(settings.replica), bytes(String(attempt)), text]
        case .write(.tool(let event)):
            (script, operation) = (RedisTaskScripts.tool, "task_tool")
            arguments = [bytes(prefix), bytes(id), bytes(settings.replica), bytes(String(attempt)), bytes(event.kind.rawValue), event.json.serialized()]
        }
        client.run(script, keys: [], byteArguments: arguments, operation: operation) { [self] result in
            if case .success(let reply) = result, reply.integerValue == -1 {
                abandon(id, reason: "no longer this replica's")
                return
            }
            // A failed write loses a live event only: the final record has the whole answer and its steps.
            let next = state.withLock { state -> (Int, Int)? in
                guard var held = state.held[id], held.attempt == attempt else { return nil }
                held.flushing = false
                defer { state.held[id] = held }
                guard !held.pieces.isEmpty || held.outcome != nil else { return nil }
                held.flushScheduled = true
                held.flushNumber += 1
                let onlyText = held.outcome == nil && held.pieces.allSatisfy { if case .text = $0 { true } else { false } }
                return (onlyText ? settings.textFlushMs : 0, held.flushNumber)
            }
            if let (delay, number) = next {
                clock.schedule(afterMs: delay, on: queue) { [weak self] in self?.flush(id, attempt: attempt, number: number) }
            }
        }
    }

    // MARK: The end of a run

    private func finished(_ id: String, attempt: Int, _ outcome: TaskOutcome) {
        enum Next { case wait, store, flush(number: Int) }
        let next = state.withLock { state -> Next in
            guard var held = state.held[id], held.attempt == attempt, held.kind == .run else { return .wait }
            held.outcome = outcome
            held.cancel = nil
            defer { state.held[id] = held }
            // A write under way ends with the outcome (`flush`).
            if held.flushing { return .wait }
            if held.pieces.isEmpty && !held.flushScheduled { return .store }
            // Text waiting for more: there is no more, so it goes out now, then the outcome (the scheduled flush
            // is superseded).
            held.flushScheduled = true
            held.flushNumber += 1
            return .flush(number: held.flushNumber)
        }
        switch next {
        case .wait: break
        case .store: store(id, attempt: attempt, outcome)
        case .flush(let number): queue.async { [self] in flush(id, attempt: attempt, number: number) }
        }
    }

    /// Stores the run's end (the finish script), then frees its slot. While Redis cannot be reached the write is
    /// tried again (backoff from 250 ms, for about a minute), the entry still held and renewed: a blip of Redis
    /// must not cost a finished answer and a second upstream call.
    private func store(_ id: String, attempt: Int, _ outcome: TaskOutcome, retry: Int = 0) {
        var arguments: [[UInt8]] = [bytes(prefix), bytes(id), bytes(settings.replica), bytes(String(attempt)), bytes(String(clock.nowUnixMs))]
        switch outcome {
        case .completed(let text, let model, let tokens, let steps):
            arguments += [bytes("completed"), bytes("1"), bytes(text), bytes("0"), [], bytes(model), bytes(String(tokens)), bytes("0")]
            arguments += [bytes(String(settings.maxAttempts)), steps.isEmpty ? [] : JSONValue.array(steps).serialized()]
        case .failed(let error, let model, let tokens, let retryable):
            arguments += [
                bytes("failed"), bytes("0"), [], bytes("1"), bytes(error), bytes(model ?? ""), bytes(String(tokens)),
                bytes(retryable ? "1" : "0"), bytes(String(settings.maxAttempts)), [],
            ]
        }
        client.run(RedisTaskScripts.finish, keys: [], byteArguments: arguments, operation: "task_finish") { [self] result in
            if case .failure = result, retry < RedisTaskStore.storeRetries, state.withLock({ !$0.abandoned && $0.held[id]?.attempt == attempt }) {
                clock.schedule(afterMs: 250 << min(retry, 4), on: queue) { [weak self] in
                    self?.store(id, attempt: attempt, outcome, retry: retry + 1)
                }
                return
            }
            let held = state.withLock { state -> Held? in
                guard let held = state.held[id], held.attempt == attempt, held.kind == .run else { return nil }
                state.held[id] = nil
                state.slotsTaken -= 1
                return held
            }
            guard let held else { return }
            let items = (try? result.get())?.arrayValue ?? []
            let record = items.count == 2 ? RedisTaskFields(flat: items[1])?.record : nil
            switch (items.first?.integerValue, record) {
            case (1?, let record?):
                observer?.taskFinished(record.status)
                if record.webhook?.name == "pending" { deliverWebhook(record, entry: held.entry) }
            case (2?, _):
                logger.log(.warning, "task run failed; it runs again after the lease", [
                    "task_id": .string(id), "attempt": .int(attempt), "max_attempts": .int(settings.maxAttempts),
                ])
            case (_, _) where result.failureReason != nil:
                // Not stored: the entry lapses and another run makes the record (at least once).
                logger.log(.error, "task result could not be stored; it runs again after the lease", [
                    "task_id": .string(id), "error": .string(result.failureReason ?? ""),
                ])
            default:
                break
            }
            pump()
        }
    }

    /// Tries of a final record's write while Redis is away: 250, 500, 1000, 2000, then every 4000 ms, about a minute.
    static let storeRetries = 18

    // MARK: Webhooks

    /// Delivers a finished task's webhook, holding its entry (renewed) until the outcome is stored.
    func deliverWebhook(_ record: TaskRecord, entry: String) {
        guard let webhooks, let url = record.input.callbackURL else { return }
        let id = record.id
        let accepted = state.withLock { state -> Bool in
            guard !state.abandoned, state.held[id] == nil else { return false }
            state.held[id] = Held(kind: .delivery, entry: entry, attempt: record.attempts)
            return true
        }
        guard accepted else { return }
        webhooks.deliver(
            taskID: id, url: url, body: record.publicJSON.serialized(), traceparent: record.input.traceparent
        ) { [self] outcome in
            let stillHeld = state.withLock { state -> Bool in
                guard !state.abandoned, state.held[id]?.kind == .delivery else { return false }
                state.held[id] = nil
                return true
            }
            guard stillHeld else { return }
            client.run(
                RedisTaskScripts.webhook, keys: [], byteArguments: [bytes(prefix), bytes(id), outcome.json.serialized()],
                operation: "task_webhook"
            ) { _ in }
        }
    }

    // MARK: Leases, cancellation, retention

    /// Resets the idle time of every entry held here; a run that is no longer this replica's is abandoned.
    func renewLeases() {
        let held = state.withLock { state in state.held.map { (id: $0.key, entry: $0.value.entry) } }
        guard !held.isEmpty else { return }
        var arguments = [prefix, settings.replica]
        for item in held { arguments += [item.id, item.entry] }
        client.run(RedisTaskScripts.renew, keys: [], arguments: arguments, operation: "task_renew") { [self] result in
            guard case .success(let reply) = result, let flags = reply.arrayValue, flags.count == held.count else { return }
            for (item, flag) in zip(held, flags) where flag.integerValue == 0 {
                abandon(item.id, reason: "no longer this replica's (deleted, or taken over after a lapse)")
            }
        }
    }

    /// Stops a run (or delivery) held here without recording anything: it was deleted, or is another's now.
    func abandon(_ id: String, reason: String) {
        let held = state.withLock { state -> Held? in
            guard let held = state.held.removeValue(forKey: id) else { return nil }
            if held.kind == .run { state.slotsTaken -= 1 }
            return held
        }
        guard let held else { return }
        logger.log(.info, "task run stopped", ["task_id": .string(id), "reason": .string(reason)])
        held.cancel?()
        if held.kind == .run { pump() }
    }

    func sweep() {
        let cutoff = clock.nowUnixMs - settings.retentionMs
        client.run(RedisTaskScripts.sweep, keys: [], arguments: [prefix, String(cutoff)], operation: "task_sweep") { _ in }
        // Also proves the subscriber's connection: a dead one fails this and reconnects (and resubscribes).
        subscriber.client.send(["PING"], operation: "task_ping") { _ in }
    }

    // MARK: Reading replies

    /// XREADGROUP's reply: RESP3 a map of stream → entries, RESP2 an array of [stream, entries].
    static func streamEntries(_ reply: RESPValue) -> [(entry: String, id: String)] {
        switch reply {
        case .map(let pairs): return pairs.flatMap { entries($0.value) }
        case .array(let streams): return streams.flatMap { ($0.arrayValue?.count == 2) ? entries($0.arrayValue![1]) : [] }
        default: return []
        }
    }

    /// `[[entry id, [field, value, …]], …]` → the entries and their `id` field (entries of another shape, or
    /// deleted ones (nil fields), are skipped).
    static func entries(_ value: RESPValue) -> [(entry: String, id: String)] {
        (value.arrayValue ?? []).compactMap { item in
            guard let parts = item.arrayValue, parts.count == 2, let entry = parts[0].bytes, let fields = parts[1].arrayValue,
                fields.count >= 2, fields[0].bytes == Array("id".utf8), let id = fields[1].bytes
            else { return nil }
            return (String(decoding: entry, as: UTF8.self), String(decoding: id, as: UTF8.self))
        }
    }
}

extension Result where Failure == RedisError {
    var failureReason: String? {
        if case .failure(let error) = self { return error.description }
        return nil
    }
}
