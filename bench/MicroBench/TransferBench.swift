import Dispatch
import Glibc
import LLM
import Locks

/// The libcurl floor: POSTs through one `TransferEngine` (libcurl's multi interface on its own thread, the same
/// code agentd's providers use) to `url`, `concurrency` calls in flight, for `seconds`; prints calls per second and
/// the process's CPU time per call (user + system, from getrusage). No HTTP server, JSON or gateway work is in it:
/// this is what one upstream call costs before agentd does anything of its own.
enum TransferBench {
    static func run(url: String, concurrency: Int, seconds: Double) {
        let engine: TransferEngine
        do {
            engine = try TransferEngine(name: "transfer-bench")
        } catch {
            print("transfer engine: \(error)")
            exit(1)
        }
        let body = Array(#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#.utf8)
        let request = TransferRequest(url: url, headers: [("Content-Type", "application/json")], body: body)
        let state = Locked((completed: 0, failed: 0, stopping: false))
        let done = DispatchSemaphore(value: 0)
        @Sendable func launch() {
            _ = engine.perform(request) { result in
                let next = state.withLock { state -> Bool in
                    if case .success(let response) = result, response.head.status == 200 { state.completed += 1 } else { state.failed += 1 }
                    return !state.stopping
                }
                if next { launch() } else { done.signal() }
            }
        }
        // Warm-up: connections opened, handles cached.
        for _ in 0..<concurrency { launch() }
        usleep(1_000_000)
        let startCompleted = state.withLock { $0.completed }
        let startCPU = cpuSeconds(), started = DispatchTime.now().uptimeNanoseconds
        usleep(UInt32(seconds * 1_000_000))
        let endCompleted = state.withLock { state -> Int in
            state.stopping = true
            return state.completed
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let cpu = cpuSeconds() - startCPU
        for _ in 0..<concurrency { _ = done.wait(timeout: .now() + 5) }
        engine.shutdown()
        let calls = endCompleted - startCompleted
        let failed = state.withLock { $0.failed }
        print("libcurl transfers to \(url), \(concurrency) in flight, \(seconds) s: \(Int(Double(calls) / elapsed)) calls/s, "
              + "\(String(format: "%.1f", cpu * 1e6 / Double(max(1, calls)))) us CPU per call (user+system), \(failed) failed")
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
