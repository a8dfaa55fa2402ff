import CAgentdSystem
import Foundation
import Locks
import Synchronization

/// The thread that (re)connects a client's connections: DNS, TCP, TLS and HELLO are blocking work (each step
/// bounded by the handshake's timeout), so they never run on an event loop. A failed attempt is retried after
/// a jittered backoff (a random delay between half and all of base × 2^attempt, capped), so replicas that lost Redis together
/// do not reconnect in lockstep; the first attempt after a loss waits up to `baseMs` only.
///
/// Owner: `schedule` (a lock) holds the connections due and when; the thread alone runs handshakes.
final class RedisConnector: @unchecked Sendable {
    private struct Due {
        var connection: RedisConnection
        var atNs: UInt64
        var attempts: Int
    }

    let handshake: RedisHandshake
    let baseMs: Int
    let maxMs: Int
    weak var client: RedisClient?
    private let dueList = Locked<(items: [Due], stopped: Bool)>(([], false))
    private let wakeUp = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    init(handshake: RedisHandshake, baseMs: Int, maxMs: Int) {
        self.handshake = handshake
        self.baseMs = baseMs
        self.maxMs = maxMs
    }

    func start(_ connections: [RedisConnection]) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let now = agentd_monotonic_ns()
        dueList.withLock { $0.items += connections.map { Due(connection: $0, atNs: now, attempts: 0) } }
        let thread = Thread { [self] in run() }
        thread.name = "agentd-redis-connector"
        thread.start()
    }

    /// Connects `connection` again soon (it was lost).
    func schedule(_ connection: RedisConnection) {
        let at = agentd_monotonic_ns() + UInt64(Int.random(in: 0...baseMs)) * 1_000_000
        let added = dueList.withLock { list -> Bool in
            guard !list.stopped, !list.items.contains(where: { $0.connection === connection }) else { return false }
            list.items.append(Due(connection: connection, atNs: at, attempts: 1))
            return true
        }
        if added { wakeUp.signal() }
    }

    func stop() {
        let wasRunning = dueList.withLock { list -> Bool in
            defer { list.stopped = true }
            return !list.stopped
        }
        guard wasRunning, started.load(ordering: .acquiring) else { return }
        wakeUp.signal()
        finished.wait()
    }

    private func run() {
        defer { finished.signal() }
        while true {
            let now = agentd_monotonic_ns()
            let (due, nextAtNs, stopped) = dueList.withLock { list -> (Due?, UInt64?, Bool) in
                if list.stopped { return (nil, nil, true) }
                if let index = list.items.firstIndex(where: { $0.atNs <= now }) {
                    return (list.items.remove(at: index), nil, false)
                }
                return (nil, list.items.map(\.atNs).min(), false)
            }
            if stopped { return }
            guard let due else {
                if let nextAtNs {
                    _ = wakeUp.wait(timeout: .now() + .nanoseconds(Int(nextAtNs - now)))
                } else {
                    wakeUp.wait()
                }
                continue
            }
            attempt(due)
        }
    }

    private func attempt(_ due: Due) {
        do {
            let (transport, version, persistence) = try handshake.connect()
            client?.connected(protocolVersion: version, persistence: persistence)
            due.connection.adopt(transport)
        } catch {
            client?.connectFailed(reason: error.description)
            let ceilingMs = min(maxMs, baseMs << min(due.attempts, 16))
            let delayMs = Int.random(in: ceilingMs / 2...max(ceilingMs / 2, ceilingMs))
            let retry = Due(connection: due.connection, atNs: agentd_monotonic_ns() + UInt64(delayMs) * 1_000_000, attempts: due.attempts + 1)
            dueList.withLock { list in if !list.stopped { list.items.append(retry) } }
        }
    }
}
