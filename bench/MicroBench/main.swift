import Dispatch
import Glibc
import Metrics
import Resilience

// Nanoseconds per operation of the per-request primitives, on 1 and on 2 threads at once (each thread does
// `operations` operations; ns/op is wall time over one thread's count, so 2 threads that never contend
// show the same figure as 1). Each figure is the median of `runs` runs. Usage: agentd-microbench [operations] [runs]
// The task journal (replay time, appends/s with group commit and with an fsync per record):
// agentd-microbench journal [records=100000] [seconds per mode=2] [replay runs=5]
let arguments = CommandLine.arguments
if arguments.count > 1 && arguments[1] == "journal" {
    JournalBench.run(
        records: arguments.count > 2 ? Int(arguments[2]) ?? 100_000 : 100_000,
        seconds: arguments.count > 3 ? Double(arguments[3]) ?? 2 : 2,
        runs: arguments.count > 4 ? Int(arguments[4]) ?? 5 : 5
    )
    exit(0)
}
// The libcurl floor (see TransferBench): agentd-microbench transfers <url> [in flight=64] [seconds=10]
if arguments.count > 2 && arguments[1] == "transfers" {
    TransferBench.run(
        url: arguments[2], concurrency: arguments.count > 3 ? Int(arguments[3]) ?? 64 : 64,
        seconds: arguments.count > 4 ? Double(arguments[4]) ?? 10 : 10
    )
    exit(0)
}
let operations = arguments.count > 1 ? Int(arguments[1]) ?? 2_000_000 : 2_000_000
let runs = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5

func nowNs() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// ns per operation: `body(thread, count)` runs on `threads` threads at once.
func measure(threads: Int, _ body: @escaping @Sendable (Int, Int) -> Void) -> Double {
    var samples: [Double] = []
    for _ in 0..<runs {
        let started = nowNs()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in body(thread, operations) }
        samples.append(Double(nowNs() - started) / Double(operations))
    }
    return samples.sorted()[samples.count / 2]
}

func report(_ name: String, _ body: @escaping @Sendable (Int, Int) -> Void) {
    let one = measure(threads: 1, body)
    let two = measure(threads: 2, body)
    func figure(_ value: Double) -> String {
        let text = String((value * 10).rounded() / 10)
        return String(repeating: " ", count: max(0, 8 - text.count)) + text + " ns/op"
    }
    print(name + String(repeating: " ", count: max(0, 48 - name.count)) + figure(one) + figure(two))
}

print("operations per thread: \(operations), median of \(runs) runs; columns: 1 thread, 2 threads at once")
let limiter = RateLimiter(ratePerSecond: 1e9, burst: 1_000_000_000, clock: SystemClock())
report("rate limiter decision, one key per thread") { thread, count in
    let key = "client-\(thread)"
    for _ in 0..<count { _ = limiter.acquire(key) }
}
let keys = (0..<4096).map { "client-\($0)" }
report("rate limiter decision, 4096 keys") { thread, count in
    for index in 0..<count { _ = limiter.acquire(keys[(index &+ thread &* 7) & 4095]) }
}
let registry = MetricsRegistry()
let counter = registry.counter("bench_total", help: "bench").series
report("counter increment (one series, shared)") { _, count in
    for _ in 0..<count { counter.increment() }
}
let labelled = registry.counter("bench_labelled_total", help: "bench", labelNames: ["route"])
report("counter increment after labels() look-up") { _, count in
    for _ in 0..<count { labelled.labels("/v1/chat/completions").increment() }
}
let histogram = registry.histogram("bench_seconds", help: "bench", buckets: Histogram.defaultSecondsBuckets).series
report("histogram observation (one series, shared)") { thread, count in
    var value = 0.001 * Double(thread + 1)
    for _ in 0..<count {
        histogram.observe(value)
        value = value < 10 ? value * 1.7 : 0.001
    }
}
TracingBench.run()
