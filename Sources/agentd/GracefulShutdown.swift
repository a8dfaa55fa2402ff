import Dispatch
import Glibc
import Logging
import Server
import Synchronization

/// The contract's signal handling: the first SIGTERM or SIGINT fails readiness at once, keeps serving for
/// the drain delay, closes the listener, lets in-flight requests finish within the grace period, then
/// signals `done`. A second signal exits at once.
final class GracefulShutdown: Sendable {
    private let server: HTTPServer
    private let tasks: TaskService
    private let lifecycle: Lifecycle
    private let logger: Logger
    private let drainDelayS: Int
    private let graceS: Int
    private let done: DispatchSemaphore
    private let signalled = Atomic<Bool>(false)
    /// Written once by `installSignalHandlers` before any signal can arrive; only kept alive after that.
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []

    init(server: HTTPServer, tasks: TaskService, lifecycle: Lifecycle, logger: Logger, drainDelayS: Int, graceS: Int, done: DispatchSemaphore) {
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
            let startedNs = DispatchTime.now().uptimeNanoseconds
            let clean = server.shutdown(gracePeriodMs: graceS * 1000)
            // Running tasks get what is left of the grace period; those still running then run again after the
            // restart (the journal says they were running). The journal is synced and closed either way.
            let spentMs = Int((DispatchTime.now().uptimeNanoseconds - startedNs) / 1_000_000)
            let tasksDone = tasks.shutdown(graceMs: max(0, graceS * 1000 - spentMs))
            if !tasksDone { logger.log(.warning, "tasks still running at the grace deadline will run again after the restart") }
            logger.log(clean ? .info : .warning, clean ? "stopped" : "stopped with requests cut at the grace deadline")
            done.signal()
        }
    }
}
