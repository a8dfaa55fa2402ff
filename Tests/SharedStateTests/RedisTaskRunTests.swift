import Locks
import Logging
import Redis
import RedisState
import RedisSupport
import Resilience
import Tasks
import Testing

/// A run of the Redis task queue against a real redis-server, on a `ManualClock`: once the run has started the
/// clock no longer moves, so whatever completes did so without waiting for a timer.
@Suite struct RedisTaskRunTests {
    /// Streams its text, then ends at once.
    final class AnsweringExecutor: TaskExecutor {
        let started = Locked(false)

        func execute(
            _ task: TaskRecord, onText: @escaping @Sendable (String) -> Void, completion: @escaping @Sendable (TaskOutcome) -> Void
        ) -> TaskRun {
            started.withLock { $0 = true }
            onText("all ")
            onText("done")
            completion(.completed(text: "all done", model: task.model, tokens: 3))
            return TaskRun {}
        }
    }

    @Test("a run that ends while its text waits to be batched is stored at once, not after the batching delay")
    func anEndingRunDoesNotWaitForTheTextBatch() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        var settings = RedisClient.Settings(url: try RedisURL(parsing: server.url))
        settings.scripts = RedisTaskStore.scripts
        let client = try RedisClient(settings: settings)
        client.start()
        defer { client.stop() }
        let clock = ManualClock()
        let executor = AnsweringExecutor()
        let store = try RedisTaskStore(
            settings: RedisTaskStore.Settings(replica: "r1"), client: client, keyPrefix: "test:", executor: executor,
            webhooks: nil, observer: nil, clock: clock, logger: Logger(minimumLevel: .error, sink: MemoryLogSink())
        )
        #expect(await waitUntil { client.isUp })
        store.start()
        defer { _ = store.shutdown(graceMs: 0) }
        let submitted = Locked<TaskRecord?>(nil)
        store.submit(TaskInput(message: "hi"), model: "mock:echo", client: nil, idempotencyKey: nil) { outcome in
            if case .accepted(let record) = outcome { submitted.withLock { $0 = record } }
        }
        #expect(await waitUntil { submitted.withLock { $0 } != nil })
        let id = try #require(submitted.withLock { $0 }?.id)
        // The queue's first read may have failed while its connection came up: its retry waits on the clock. Moved
        // on until the run starts, then never again.
        for _ in 0..<20 where !executor.started.withLock({ $0 }) {
            if clock.pendingTimers > 0 { clock.advance(byMs: 500) }
            _ = await waitUntil(.seconds(1)) { executor.started.withLock { $0 } }
        }
        #expect(executor.started.withLock { $0 })
        let stored = Locked<TaskRecord?>(nil)
        let completed = await waitUntil {
            store.read(id) { result in if case .success(let record?) = result { stored.withLock { $0 = record } } }
            return stored.withLock { $0 }?.status == .completed
        }
        #expect(completed, "the clock never moved; still \(String(describing: stored.withLock { $0 }?.status)), timers \(clock.pendingTimers)")
        #expect(stored.withLock { $0 }?.result == "all done")
    }
}
