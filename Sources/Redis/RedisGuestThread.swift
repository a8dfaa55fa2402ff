import CAgentdSystem
import Foundation
import Glibc
import Synchronization

/// A thread of its own for a connection that no event loop hosts (tests, tools): it waits on the
/// connection's `pollFD` until its next deadline and runs its passes, exactly as a hosting loop would.
/// Owner: the thread owns the connection's pass; `stop` flags it and waits for it to end.
final class RedisGuestThread: Sendable {
    /// How long a wait may last, so a stop is noticed soon.
    static let maxWaitMs: Int32 = 50
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(_ connection: RedisConnection) {
        let thread = Thread { [self] in
            connection.adoptCurrentThread()
            var poller = pollfd(fd: connection.pollFD, events: Int16(POLLIN), revents: 0)
            while !stopRequested.load(ordering: .acquiring) {
                let deadline = connection.nextDeadlineNs
                let now = agentd_monotonic_ns()
                let waitMs = deadline <= now ? 0 : Int32(min(UInt64(RedisGuestThread.maxWaitMs), (deadline - now + 999_999) / 1_000_000))
                _ = poll(&poller, 1, waitMs)
                connection.runPass()
            }
            connection.stopNow()
            finished.signal()
        }
        thread.name = "agentd-redis-\(connection.index)"
        thread.start()
    }

    func stop() {
        stopRequested.store(true, ordering: .releasing)
        finished.wait()
    }
}
