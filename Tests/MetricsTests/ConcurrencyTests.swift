import Dispatch
import Testing
@testable import Metrics

/// Updates from several threads at once are never lost (bounded: 4 threads × 100 000 updates).
@Suite struct ConcurrencyTests {
    static let threads = 4
    static let updatesPerThread = 100_000

    @Test func counterIncrementsAddUpExactly() {
        let counter = MetricsRegistry().counter("c_total", help: "C.").series
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            for _ in 0..<Self.updatesPerThread { counter.increment() }
        }
        #expect(counter.value == Double(Self.threads * Self.updatesPerThread))
    }

    @Test func fractionalCounterIncrementsAddUpExactly() {
        let counter = MetricsRegistry().counter("c_total", help: "C.").series
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            // 0.5 is exact in binary, so the sum has no rounding to hide a lost update.
            for _ in 0..<Self.updatesPerThread { counter.increment(by: 0.5) }
        }
        #expect(counter.value == Double(Self.threads * Self.updatesPerThread) / 2)
    }

    @Test func gaugeUpdatesAddUpExactly() {
        let gauge = MetricsRegistry().gauge("g", help: "G.").series
        DispatchQueue.concurrentPerform(iterations: Self.threads) { thread in
            for _ in 0..<Self.updatesPerThread {
                if thread % 2 == 0 { gauge.increment(by: 2) } else { gauge.decrement() }
            }
        }
        #expect(gauge.value == Double(Self.threads / 2 * Self.updatesPerThread))
    }

    @Test func histogramObservationsAddUpExactly() {
        let histogram = MetricsRegistry().histogram("h_seconds", help: "H.", buckets: [0.5, 1]).series
        DispatchQueue.concurrentPerform(iterations: Self.threads) { thread in
            let value = thread % 2 == 0 ? 0.5 : 2
            for _ in 0..<Self.updatesPerThread { histogram.observe(value) }
        }
        let half = UInt64(Self.threads / 2 * Self.updatesPerThread)
        #expect(histogram.cumulativeBucketCounts == [half, half, 2 * half])
        #expect(histogram.count == 2 * half)
        #expect(histogram.sum == Double(half) * 2.5)
    }

    @Test func concurrentLabelLookupsShareOneSeries() {
        let family = MetricsRegistry().counter("r_total", help: "R.", labelNames: ["route"])
        let routesPerThread = 100
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            for route in 0..<routesPerThread { family.labels("/r\(route)").increment() }
        }
        for route in 0..<routesPerThread {
            #expect(family.labels("/r\(route)").value == Double(Self.threads))
        }
    }

    @Test func scrapesWhileUpdating() {
        let registry = MetricsRegistry()
        let family = registry.counter("s_total", help: "S.", labelNames: ["k"])
        let scrapes = 50
        DispatchQueue.concurrentPerform(iterations: Self.threads) { thread in
            if thread == 0 {
                for _ in 0..<scrapes { #expect(!registry.exposition().isEmpty) }
            } else {
                for index in 0..<1_000 { family.labels("\(index % 10)").increment() }
            }
        }
        let total = (0..<10).reduce(0.0) { $0 + family.labels("\($1)").value }
        #expect(total == Double((Self.threads - 1) * 1_000))
    }
}
