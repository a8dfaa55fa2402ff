import Glibc
import Testing
@testable import Metrics

/// The process collector's values are plausible for this test process, and its parsing is exact.
@Suite struct ProcessCollectorTests {
    static let secondsPerDay = 86_400.0

    /// The samples of an exposition by name; every non-comment line must be `name value`.
    static func samples(_ exposition: [UInt8]) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in String(decoding: exposition, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            try #require(parts.count == 2, "line '\(line)' is not 'name value'")
            let value = try #require(parts[1] == "+Inf" ? Double.infinity : Double(parts[1]), "value of '\(line)'")
            samples[String(parts[0])] = value
        }
        return samples
    }

    @Test func valuesArePlausible() throws {
        let registry = MetricsRegistry()
        registry.addCollector(ProcessCollector().collect)
        let samples = try Self.samples(registry.exposition())
        let cpu = try #require(samples["process_cpu_seconds_total"])
        let resident = try #require(samples["process_resident_memory_bytes"])
        let virtual = try #require(samples["process_virtual_memory_bytes"])
        let openDescriptors = try #require(samples["process_open_fds"])
        let maxDescriptors = try #require(samples["process_max_fds"])
        let start = try #require(samples["process_start_time_seconds"])
        #expect(cpu >= 0)
        #expect(resident > 0)
        #expect(virtual >= resident)
        #expect(openDescriptors >= 3)  // at least standard input, output and error
        #expect(maxDescriptors >= openDescriptors)
        let now = Double(time(nil))
        #expect(start <= now + 1)
        #expect(start > now - Self.secondsPerDay)
        #expect(samples.count == 6)
    }

    @Test func missingFilesSkipTheirMetrics() throws {
        let registry = MetricsRegistry()
        let collector = ProcessCollector(processDirectory: "/nonexistent", systemStatPath: "/nonexistent/stat")
        registry.addCollector(collector.collect)
        let samples = try Self.samples(registry.exposition())
        #expect(Set(samples.keys) == ["process_max_fds"])
    }

    @Test func statParsesFieldsAfterACommandNameWithSpacesAndParentheses() throws {
        // Fields 3…24 of proc(5), then a few more; the name holds ") " to trap a naive split.
        var fields = (3...30).map { String($0 * 1000) }
        fields[14 - 3] = "150"  // utime
        fields[15 - 3] = "50"  // stime
        fields[22 - 3] = "7000"  // starttime
        fields[23 - 3] = "123456789"  // vsize
        fields[24 - 3] = "321"  // rss
        fields[0] = "S"
        let text = "4242 (my) (odd proc) " + fields.joined(separator: " ") + "\n"
        let stat = try #require(ProcessStat(statBytes: Array(text.utf8)))
        #expect(stat.cpuTicks == 200)
        #expect(stat.startTicksAfterBoot == 7000)
        #expect(stat.virtualMemoryBytes == 123_456_789)
        #expect(stat.residentPages == 321)
    }

    @Test func statWithTooFewFieldsIsNil() {
        #expect(ProcessStat(statBytes: Array("1 (x) S 1 2 3".utf8)) == nil)
        #expect(ProcessStat(statBytes: []) == nil)
    }

    @Test func bootTimeComesFromTheBtimeLine() {
        let procStat = "cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"
        #expect(ProcessStat.bootTimeSeconds(procStatBytes: Array(procStat.utf8)) == 1_700_000_000)
        #expect(ProcessStat.bootTimeSeconds(procStatBytes: Array("cpu 1\n".utf8)) == nil)
    }

    @Test func decimalRejectsAnythingButDigits() {
        #expect(ProcessStat.decimal(Array("18446744073709551615".utf8)) == UInt64.max)
        #expect(ProcessStat.decimal(Array("18446744073709551616".utf8)) == nil)
        #expect(ProcessStat.decimal(Array("-1".utf8)) == nil)
        #expect(ProcessStat.decimal(Array("".utf8)) == nil)
    }
}
