import Resilience
import Agent
import Locks
import Testing
@testable import Tasks

@Suite final class TaskStoreTests {
    /// The executors of this test's stores: a scripted one keeps its runs' callbacks, which hold their store;
    /// dropping them at the end lets the stores go (LeakSanitizer).
    private var executors: [ScriptedExecutor] = []

    deinit { for executor in executors { executor.forget() } }

    func makeStore(
        journal: MemoryJournal = MemoryJournal(), executor: ScriptedExecutor = ScriptedExecutor(), workers: Int = 4,
        queueMax: Int = 1000, clock: ManualClock = ManualClock(unixMs: 1_800_000_000_000),
        webhooks: (any TaskWebhookDelivering)? = nil
    ) -> TaskStore {
        var settings = TaskStore.Settings()
        settings.workers = workers
        settings.queueMax = queueMax
        settings.retentionMs = 60_000
        settings.compactionMinBytes = 0
        executors.append(executor)
        let store = TaskStore(
            journal: journal, replayed: journal.payloads, settings: settings, clock: clock, executor: executor, webhooks: webhooks
        )
        store.start()
        return store
    }

    @Test func aSubmissionIsAcknowledgedOnceJournalledThenRunsToCompletion() throws {
        let journal = MemoryJournal(), executor = ScriptedExecutor()
        let store = makeStore(journal: journal, executor: executor)
        guard case .accepted(let record)? = submitAndWait(store, "hello") else { Issue.record("not accepted"); return }
        #expect(record.status == .pending)
        #expect(journal.payloads.contains { TaskJournalEntry(payload: $0) == .put(record) })
        #expect(eventually { executor.run(for: record.id) != nil })
        #expect(store.record(record.id)?.status == .running)
        #expect(store.record(record.id)?.attempts == 1)
        executor.finish(record.id, text: "done", tokens: 7)
        let finished = try #require(store.record(record.id))
        #expect(finished.status == .completed)
        #expect(finished.result == "done")
        #expect(finished.tokensUsed == 7)
        #expect(finished.completedAtMs != nil)
        // The finished state is journalled: a replay sees it.
        let replayed = makeStore(journal: MemoryJournal(payloads: journal.payloads))
        #expect(replayed.record(record.id)?.status == .completed)
    }

    @Test func noMoreTasksRunThanWorkers() {
        let executor = ScriptedExecutor()
        let store = makeStore(executor: executor, workers: 2)
        var ids: [String] = []
        for index in 0..<5 {
            if case .accepted(let record)? = submitAndWait(store, "task \(index)") { ids.append(record.id) }
        }
        #expect(ids.count == 5)
        #expect(eventually { executor.started.count == 2 })
        #expect(store.counts.queued == 3)
        executor.finish(ids[0], text: "a")
        #expect(eventually { executor.started.count == 3 })
        #expect(executor.started.map(\.task.id) == Array(ids.prefix(3)))
    }

    @Test func aFullQueueRefusesAndAcknowledgesNothing() {
        let journal = MemoryJournal()
        let store = makeStore(journal: journal, executor: ScriptedExecutor(), workers: 1, queueMax: 2)
        var accepted = 0
        for index in 0..<3 {
            if case .accepted? = submitAndWait(store, "task \(index)") { accepted += 1 }
            // The first leaves the queue for the worker before the next arrives.
            if index == 0 { #expect(eventually { store.counts.queued == 0 }) }
        }
        #expect(accepted == 3)
        let before = journal.payloads.count
        guard case .queueFull? = submitAndWait(store, "one too many") else { Issue.record("the queue took a 4th task"); return }
        #expect(journal.payloads.count == before)
        #expect(store.list(status: nil, limit: 100).count == 3)
    }

    @Test func anUnwritableJournalAcknowledgesNothing() {
        let journal = MemoryJournal()
        journal.setWritable(false)
        let store = makeStore(journal: journal)
        guard case .unavailable? = submitAndWait(store, "hello") else { Issue.record("accepted without a journal"); return }
        #expect(store.list(status: nil, limit: 100).isEmpty)
        #expect(journal.payloads.isEmpty)
    }

    @Test func theSameIdempotencyKeyGivesTheSameTaskForTheSameClientOnly() {
        let store = makeStore()
        guard case .accepted(let first)? = submitAndWait(store, "hello", idempotencyKey: "k-1") else { Issue.record("not accepted"); return }
        guard case .existing(let again)? = submitAndWait(store, "hello again", idempotencyKey: "k-1") else {
            Issue.record("a second task for the same key"); return
        }
        #expect(again.id == first.id)
        guard case .accepted(let other)? = submitAndWait(store, "hello", client: "key2", idempotencyKey: "k-1") else {
            Issue.record("another client's key was shared"); return
        }
        #expect(other.id != first.id)
    }

    @Test func idempotencyKeysExpireAfter24Hours() {
        let clock = ManualClock(unixMs: 1_800_000_000_000)
        let store = makeStore(clock: clock)
        guard case .accepted(let first)? = submitAndWait(store, "hello", idempotencyKey: "k-1") else { Issue.record("not accepted"); return }
        clock.advance(byMs: 86_400_000)
        guard case .accepted(let second)? = submitAndWait(store, "hello", idempotencyKey: "k-1") else { Issue.record("key did not expire"); return }
        #expect(second.id != first.id)
    }

    @Test func replayQueuesPendingAndRunningTasksAgainAndDropsDeletedOnes() throws {
        let journal = MemoryJournal(), executor = ScriptedExecutor()
        let store = makeStore(journal: journal, executor: executor, workers: 1)
        var ids: [String] = []
        for index in 0..<4 {
            if case .accepted(let record)? = submitAndWait(store, "task \(index)") { ids.append(record.id) }
        }
        #expect(eventually { executor.started.count == 1 })
        executor.finish(ids[0], text: "first")
        #expect(eventually { store.record(ids[1])?.status == .running })
        let deleted = Locked(false)
        store.cancelAndDelete(ids[3]) { _ in deleted.withLock { $0 = true } }
        #expect(eventually { deleted.withLock { $0 } })
        // "Crash" now: ids[1] was running, ids[2] pending.
        let restartedExecutor = ScriptedExecutor()
        let restarted = makeStore(journal: MemoryJournal(payloads: journal.payloads), executor: restartedExecutor, workers: 1)
        #expect(restarted.record(ids[0])?.status == .completed)
        #expect(restarted.record(ids[3]) == nil)
        #expect(eventually { restartedExecutor.started.count == 1 })
        let rerun = try #require(restartedExecutor.started.first)
        #expect(rerun.task.id == ids[1])
        #expect(rerun.task.attempts == 2)
        restartedExecutor.finish(ids[1], text: "second")
        #expect(eventually { restartedExecutor.started.count == 2 })
        #expect(restartedExecutor.started.last?.task.id == ids[2])
        #expect(restartedExecutor.started.last?.task.attempts == 1)
    }

    @Test func cancellingARunningTaskStopsItsCallAndDeletesIt() throws {
        let journal = MemoryJournal(), executor = ScriptedExecutor()
        let store = makeStore(journal: journal, executor: executor)
        guard case .accepted(let record)? = submitAndWait(store, "long") else { Issue.record("not accepted"); return }
        #expect(eventually { executor.run(for: record.id) != nil && store.record(record.id)?.status == .running })
        let last = Locked<TaskRecord??>(nil)
        store.cancelAndDelete(record.id) { record in last.withLock { $0 = .some(record) } }
        #expect(eventually { last.withLock { $0 } != nil })
        let final = try #require(last.withLock { $0 } ?? nil)
        #expect(final.status == .cancelled)
        #expect(executor.run(for: record.id)?.cancelled == true)
        #expect(store.record(record.id) == nil)
        #expect(TaskJournalEntry(payload: journal.payloads.last ?? []) == .delete(id: record.id))
        let missing = Locked<TaskRecord??>(nil)
        store.cancelAndDelete(record.id) { record in missing.withLock { $0 = .some(record) } }
        #expect(eventually { missing.withLock { $0 } != nil })
        #expect(missing.withLock { $0 } == .some(nil))
    }

    @Test func cancellingAPendingTaskTakesItOutOfTheQueue() {
        let executor = ScriptedExecutor()
        let store = makeStore(executor: executor, workers: 1)
        guard case .accepted(let first)? = submitAndWait(store, "first"), case .accepted(let second)? = submitAndWait(store, "second") else {
            Issue.record("not accepted"); return
        }
        #expect(eventually { executor.started.count == 1 })
        let done = Locked(false)
        store.cancelAndDelete(second.id) { _ in done.withLock { $0 = true } }
        #expect(eventually { done.withLock { $0 } })
        executor.finish(first.id, text: "ok")
        #expect(store.counts.queued == 0)
        #expect(executor.started.count == 1)
    }

    @Test func subscribersSeeStatusChangesAndTextAndLateOnesTheTextSoFar() throws {
        let executor = ScriptedExecutor()
        let store = makeStore(executor: executor)
        guard case .accepted(let record)? = submitAndWait(store, "stream me") else { Issue.record("not accepted"); return }
        #expect(eventually { executor.run(for: record.id) != nil })
        let events = Locked<[TaskEvent]>([])
        let token = store.subscribe(record.id) { event in events.withLock { $0.append(event) } }
        #expect(token != nil && token! != nil)
        let run = try #require(executor.run(for: record.id))
        run.onText("Hel")
        let late = Locked<[TaskEvent]>([])
        _ = store.subscribe(record.id) { event in late.withLock { $0.append(event) } }
        #expect(late.withLock { $0.count } == 2)
        #expect(late.withLock { $0.last } == .text("Hel"))
        run.onText("lo")
        run.completion(.completed(text: "Hello", model: "mock:echo", tokens: 2))
        let seen = events.withLock { $0 }
        #expect(seen.count == 4)
        guard case .status(let first)? = seen.first else { Issue.record("no current status first"); return }
        #expect(first.status == .running)
        #expect(Array(seen[1...2]) == [.text("Hel"), .text("lo")])
        guard case .status(let final)? = seen.last else { Issue.record("no final status"); return }
        #expect(final.status == .completed)
        // A finished task is answered from its record, with no subscription.
        let finished = Locked<[TaskEvent]>([])
        #expect(store.subscribe(record.id) { event in finished.withLock { $0.append(event) } } == .some(nil))
        #expect(finished.withLock { $0.count } == 1)
    }

    @Test func listingIsNewestFirstFilteredAndLimited() {
        let clock = ManualClock(unixMs: 1_800_000_000_000)
        let executor = ScriptedExecutor()
        let store = makeStore(executor: executor, workers: 1, clock: clock)
        var ids: [String] = []
        for index in 0..<5 {
            clock.advance(byMs: 1000)
            if case .accepted(let record)? = submitAndWait(store, "task \(index)") { ids.append(record.id) }
        }
        #expect(store.list(status: nil, limit: 100).map(\.id) == ids.reversed())
        #expect(store.list(status: nil, limit: 2).map(\.id) == [ids[4], ids[3]])
        #expect(eventually { store.list(status: .running, limit: 100).map(\.id) == [ids[0]] })
        #expect(store.list(status: .pending, limit: 100).map(\.id) == [ids[4], ids[3], ids[2], ids[1]])
        #expect(store.list(status: .failed, limit: 100).isEmpty)
    }

    @Test func finishedTasksExpireAfterTheRetentionAndTheJournalIsCompacted() {
        let clock = ManualClock(unixMs: 1_800_000_000_000)
        let journal = MemoryJournal()
        let store = makeStore(journal: journal, executor: ScriptedExecutor(immediateAnswer: "hi"), clock: clock)
        guard case .accepted(let old)? = submitAndWait(store, "old") else { Issue.record("not accepted"); return }
        #expect(eventually { store.record(old.id)?.status == .completed })
        clock.advance(byMs: 30_000)
        guard case .accepted(let recent)? = submitAndWait(store, "recent") else { Issue.record("not accepted"); return }
        #expect(eventually { store.record(recent.id)?.status == .completed })
        clock.advance(byMs: 30_001)
        store.sweep()
        #expect(store.record(old.id) == nil)
        #expect(store.record(recent.id)?.status == .completed)
        #expect(eventually { journal.rewrites == 1 })
        let replayed = makeStore(journal: MemoryJournal(payloads: journal.payloads))
        #expect(replayed.list(status: nil, limit: 100).map(\.id) == [recent.id])
    }

    @Test func aFinishedTaskWithACallbackIsDeliveredAndTheOutcomeJournalled() throws {
        struct Recorder: TaskWebhookDelivering {
            let deliveries = Locked<[(String, String, [UInt8])]>([])
            func deliver(
                taskID: String, url: String, body: [UInt8], traceparent: String?, completion: @escaping @Sendable (WebhookState) -> Void
            ) {
                deliveries.withLock { $0.append((taskID, url, body)) }
                completion(.delivered(attempts: 1, status: 204))
            }
        }
        let recorder = Recorder(), journal = MemoryJournal()
        let store = makeStore(journal: journal, executor: ScriptedExecutor(immediateAnswer: "hi"), webhooks: recorder)
        let answer = Locked<TaskStore.Submission?>(nil)
        store.submit(
            TaskInput(message: "call me", callbackURL: "http://127.0.0.1:9/hook"), model: "mock:echo", client: nil, idempotencyKey: nil
        ) { submission in answer.withLock { $0 = submission } }
        #expect(eventually { recorder.deliveries.withLock { $0.count } == 1 })
        let (id, url, body) = try #require(recorder.deliveries.withLock { $0.first })
        #expect(url == "http://127.0.0.1:9/hook")
        #expect(String(decoding: body, as: UTF8.self).contains("\"status\":\"completed\""))
        #expect(eventually { store.record(id)?.webhook == .delivered(attempts: 1, status: 204) })
        let replayed = makeStore(journal: MemoryJournal(payloads: journal.payloads))
        #expect(replayed.record(id)?.webhook == .delivered(attempts: 1, status: 204))
    }

    @Test func journalEntriesRoundTrip() throws {
        var record = TaskRecord(
            id: "task_0123456789abcdef01234567", createdAtMs: 1_800_000_000_123,
            input: TaskInput(message: "héllo \"x\"\n", agent: "a", model: "m", systemPrompt: "s", maxTokens: 9, callbackURL: "https://h/x"),
            model: "mock:echo", attempts: 2, client: "key1", idempotencyKey: "idem"
        )
        record.status = .failed
        record.startedAtMs = 1_800_000_000_200
        record.completedAtMs = 1_800_000_000_300
        record.error = "upstream failed"
        record.tokensUsed = 12
        record.webhook = .failed(attempts: 6, reason: "503")
        #expect(TaskJournalEntry(payload: TaskJournalEntry.put(record).payload) == .put(record))
        #expect(TaskJournalEntry(payload: TaskJournalEntry.delete(id: record.id).payload) == .delete(id: record.id))
        #expect(TaskJournalEntry(payload: Array("{\"put\":{\"id\":1}}".utf8)) == nil)
        #expect(TaskJournalEntry(payload: [0xff, 0x00]) == nil)
        let json = record.publicJSON
        #expect(json["created_at"]?.stringValue == "2027-01-15T08:00:00.123Z")
        #expect(json["client"] == nil)
        #expect(json["idempotency_key"] == nil)
    }
}
