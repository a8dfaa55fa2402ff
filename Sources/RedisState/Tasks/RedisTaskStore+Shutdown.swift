import Dispatch
import Glibc
import Redis
import Tasks

/// Shutdown: the replica stops taking entries, gives its runs the grace period, then hands back at once what
/// it still holds (another replica takes it now, not after the lease).
extension RedisTaskStore {
    public func beginShutdown() {
        // Submissions are still stored while the replica drains: another replica runs them.
        state.withLock { $0.stopping = true }
    }

    public func shutdown(graceMs: Int) -> Bool {
        beginShutdown()
        let deadlineMs = clock.nowMs + Int64(graceMs)
        var idle = runsHeld == 0
        while !idle && clock.nowMs < deadlineMs {
            usleep(10_000)
            idle = runsHeld == 0
        }
        // A start under way ends, within a Redis round trip, held (and handed back below) or handed back already.
        let settleMs = clock.nowMs + Int64(client.settings.timeoutMs + 100)
        while state.withLock({ $0.starting }) > 0 && clock.nowMs < settleMs { usleep(5_000) }
        let (held, timers) = state.withLock { state -> ([(id: String, held: Held)], [DispatchSourceTimer]) in
            state.abandoned = true
            defer {
                state.held.removeAll()
                state.timers.removeAll()
            }
            return (state.held.map { ($0.key, $0.value) }, state.timers)
        }
        for timer in timers { timer.cancel() }
        for item in held { item.held.cancel?() }
        if !held.isEmpty {
            let done = DispatchSemaphore(value: 0)
            handBack(held.map { ($0.id, $0.held.entry) }) { [logger] result in
                switch result {
                case .success(let reply):
                    logger.log(.info, "unfinished tasks handed back to the queue", ["tasks": .int(Int(reply.integerValue ?? 0))])
                case .failure(let error):
                    logger.log(.error, "unfinished tasks could not be handed back; they run again after the lease", [
                        "tasks": .int(held.count), "error": .string(error.description),
                    ])
                }
                done.signal()
            }
            _ = done.wait(timeout: .now() + .milliseconds(client.settings.timeoutMs + 100))
        }
        queueClient.stop()
        subscriber.stop()
        return idle
    }

    /// Puts tasks this replica holds back in the queue under fresh entries (`RedisTaskScripts.handBack`).
    func handBack(_ held: [(id: String, entry: String)], completion: @escaping RedisConnection.Completion) {
        var arguments = [prefix, settings.replica]
        for item in held { arguments += [item.id, item.entry] }
        client.run(RedisTaskScripts.handBack, keys: [], arguments: arguments, operation: "task_hand_back", completion: completion)
    }

    private var runsHeld: Int { state.withLock { $0.held.values.filter { $0.kind == .run }.count } }
}
