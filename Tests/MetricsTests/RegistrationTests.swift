import Testing
@testable import Metrics

/// Families are registered once by name; series are cached per label value tuple.
@Suite struct RegistrationTests {
    @Test func sameNameAndShapeReturnsTheSameFamily() {
        let registry = MetricsRegistry()
        let counter = registry.counter("a_total", help: "A.", labelNames: ["x"])
        let gauge = registry.gauge("b", help: "B.")
        let histogram = registry.histogram("c_seconds", help: "C.", labelNames: ["y"], buckets: Histogram.defaultSecondsBuckets)
        #expect(registry.counter("a_total", help: "A.", labelNames: ["x"]) === counter)
        #expect(registry.gauge("b", help: "B.") === gauge)
        #expect(
            registry.histogram("c_seconds", help: "C.", labelNames: ["y"], buckets: Histogram.defaultSecondsBuckets)
                === histogram
        )
        // One family, exposed once.
        let text = String(decoding: registry.exposition(), as: UTF8.self)
        #expect(text.split(separator: "\n").filter { $0 == "# TYPE a_total counter" }.count == 1)
    }

    @Test func labelsReturnTheCachedSeries() {
        let registry = MetricsRegistry()
        let family = registry.counter("requests_total", help: "Requests.", labelNames: ["route", "code"])
        let first = family.labels("/chat", "200")
        #expect(family.labels("/chat", "200") === first)
        #expect(family.labels(["/chat", "200"]) === first)
        #expect(family.labels("/chat", "500") !== first)
        #expect(first.labelValues == ["/chat", "200"])
    }

    @Test func unlabelledFamiliesHaveOneSeries() {
        let registry = MetricsRegistry()
        let family = registry.counter("jobs_total", help: "Jobs.")
        #expect(family.labels() === family.series)
        family.series.increment()
        family.series.increment(by: 0.25)
        #expect(family.series.value == 1.25)
    }

    @Test func gaugeMovesBothWays() {
        let gauge = MetricsRegistry().gauge("g", help: "G.").series
        gauge.set(10)
        gauge.increment()
        gauge.decrement(by: 4.5)
        #expect(gauge.value == 6.5)
    }

    @Test func histogramBoundariesAreInclusive() {
        let histogram = MetricsRegistry().histogram("h", help: "H.", buckets: [1, 2]).series
        for value in [0.5, 1, 1.5, 2, 3, -1] { histogram.observe(value) }
        #expect(histogram.cumulativeBucketCounts == [3, 5, 6])
        #expect(histogram.count == 6)
        #expect(histogram.sum == 7)
        #expect(histogram.upperBounds == [1, 2])
    }

    @Test func bucketConstantsAreStrictlyIncreasing() {
        for buckets in [Histogram.defaultSecondsBuckets, Histogram.llmSecondsBuckets] {
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 })
        }
        #expect(Histogram.defaultSecondsBuckets.last == 60)
        #expect(Histogram.llmSecondsBuckets.last == 600)
    }
}
