import Dispatch
import Glibc
import Logging
import Server
import Synchronization
import Tracing

/// Signal handling (docs/operations.md, "4. Graceful shutdown"): the first SIGTERM or SIGINT fails readiness at
/// once, keeps serving for the drain delay, closes the listener, lets in-flight requests finish within the grace
/// period, then signals `done`. A second signal exits at once.
final class GracefulShutdown: Sendable {
    private let server: HTTPServer
    private let tasks: TaskService
    private let lifecycle: Lifecycle
    private let logger: Logger
    private let drainDelayS: Int
    private let graceS: Int
    private let done: DispatchSemaphore
    /// Exports what it still holds while the loops' transfer engines still run (at most 2 s of the grace period).
    private let tracer: Tracer?
    private let signalled = Atomic<Bool>(false)
    /// Written once by `installSignalHandlers` before any signal can arrive; only kept alive after that.
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []

    init(
        server: HTTPServer, tasks: TaskService, lifecycle: Lifecycle, logger: Logger, drainDelayS: Int, graceS: Int,
        done: DispatchSemaphore, tracer: Tracer? = nil
    ) {
        self.tracer = tracer
        self.server = server
        self.tasks = tasks
        self.lifecycle = lifecycle
        self.logger = logger
        self.drainDelayS = drainDelayS
        self.graceS = graceS
        self.done = done
    }

    func installSignalHandlers() {
        let queue = DispatchQueue(label: "agentd.signals")
        var installed: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in self.received(number) }
            source.resume()
            installed.append(source)
        }
        sources = installed
    }

    private func received(_ number: Int32) {
        if signalled.exchange(true, ordering: .relaxed) {
            logger.log(.warning, "second signal: exiting at once", ["signal": .int(Int(number))])
            logger.flush()
            _exit(1)
        }
        lifecycle.enter(.draining)
        logger.log(.info, "shutting down", [
            "signal": .int(Int(number)), "drain_delay_s": .int(drainDelayS), "grace_s": .int(graceS),
        ])
        let thread = DispatchQueue(label: "agentd.shutdown")
        thread.async { [self] in
            if drainDelayS > 0 { sleep(UInt32(drainDelayS)) }
            // No task starts from now on; running ones go on beside the requests in flight, within the same grace
            // period, on the loops' transfer engines (so they are waited for before the loops stop). Those still
            // running then run again after the restart (the journal says they were running); it is synced and closed.
            tasks.beginShutdown()
            var tasksDone = true
            let tracer = self.tracer
            let clean = server.shutdown(gracePeriodMs: graceS * 1000) { remainingMs in
                tasksDone = tasks.shutdown(graceMs: remainingMs)
                tracer?.flushAll(timeoutMs: min(2_000, max(0, remainingMs)))
            }
            if !tasksDone { logger.log(.warning, "tasks still running at the grace deadline will run again after the restart") }
            logger.log(clean ? .info : .warning, clean ? "stopped" : "stopped with requests cut at the grace deadline")
            done.signal()
        }
    }
}
