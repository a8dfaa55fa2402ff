import Foundation
import Testing
@testable import Metrics

/// `promtool check metrics` (Debian package `prometheus`) finds nothing to report in a full exposition.
/// Skipped when promtool is not installed.
@Suite struct PromtoolTests {
    static let promtoolPath: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: promtoolPath != nil, "promtool is not installed"))
    func promtoolReportsNothing() throws {
        let registry = MetricsRegistry()
        let requests = registry.counter("agentd_http_requests_total", help: "HTTP requests.", labelNames: ["route", "method", "code"])
        requests.labels("/chat", "POST", "200").increment()
        requests.labels("/odd\"\\\npath", "GET", "404").increment(by: 2)
        _ = registry.counter("agentd_llm_retries_total", help: "Upstream retries.", labelNames: ["provider", "reason"])
        registry.gauge("agentd_http_in_flight_requests", help: "Requests in flight.").series.set(3)
        let latency = registry.histogram(
            "agentd_http_request_duration_seconds",
            help: "Request latency.",
            labelNames: ["route"],
            buckets: Histogram.defaultSecondsBuckets
        )
        latency.labels("/chat").observe(0.2)
        latency.labels("/health/live").observe(0.001)
        registry.addCollector(ProcessCollector().collect)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.promtoolPath))
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(registry.exposition()))
        try input.fileHandleForWriting.close()
        let report = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(decoding: report, as: UTF8.self) == "")
        #expect(process.terminationStatus == 0)
    }
}
