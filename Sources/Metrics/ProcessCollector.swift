import Glibc

/// Writes the standard `process_*` metrics of this process, read from procfs at each scrape.
///
/// Register it with `registry.addCollector(ProcessCollector().collect)`. Stateless: every scrape reads
/// `/proc/self/stat` (CPU time, start time, virtual and resident memory), `/proc/stat` (boot time), lists
/// `/proc/self/fd`, and asks `getrlimit(RLIMIT_NOFILE)`. A file that cannot be read skips the metrics it
/// feeds; the collector never crashes or throws. Names and meanings follow Prometheus' client guidelines:
/// https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics
public struct ProcessCollector: Sendable {
    /// Where this process' procfs directory is (`/proc/self`); a parameter so tests can point elsewhere.
    public let processDirectory: String
    /// The system-wide `/proc/stat`, for the boot time.
    public let systemStatPath: String

    public init(processDirectory: String = "/proc/self", systemStatPath: String = "/proc/stat") {
        self.processDirectory = processDirectory
        self.systemStatPath = systemStatPath
    }

    /// Writes every process metric it can read into `writer`.
    public func collect(_ writer: inout MetricsWriter) {
        let stat = ProcessCollector.readFile(processDirectory + "/stat").flatMap { ProcessStat(statBytes: $0) }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat, ticksPerSecond > 0 {
            writer.counter(
                "process_cpu_seconds_total",
                help: "Total user and system CPU time spent in seconds.",
                value: Double(stat.cpuTicks) / ticksPerSecond
            )
        }
        if let openDescriptors = ProcessCollector.countOpenDescriptors(in: processDirectory + "/fd") {
            writer.gauge("process_open_fds", help: "Number of open file descriptors.", value: Double(openDescriptors))
        }
        if let maxDescriptors = ProcessCollector.maxOpenDescriptors() {
            writer.gauge("process_max_fds", help: "Maximum number of open file descriptors.", value: maxDescriptors)
        }
        if let stat {
            writer.gauge(
                "process_virtual_memory_bytes",
                help: "Virtual memory size in bytes.",
                value: Double(stat.virtualMemoryBytes)
            )
            let pageBytes = sysconf(Int32(_SC_PAGESIZE))
            if pageBytes > 0 {
                writer.gauge(
                    "process_resident_memory_bytes",
                    help: "Resident memory size in bytes.",
                    value: Double(stat.residentPages) * Double(pageBytes)
                )
            }
        }
        if let stat, ticksPerSecond > 0,
           let bootSeconds = ProcessCollector.readFile(systemStatPath).flatMap(ProcessStat.bootTimeSeconds) {
            writer.gauge(
                "process_start_time_seconds",
                help: "Start time of the process since unix epoch in seconds.",
                value: Double(bootSeconds) + Double(stat.startTicksAfterBoot) / ticksPerSecond
            )
        }
    }
}
