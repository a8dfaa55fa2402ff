/// OpenTelemetry traces, from the environment (contract: Tracing). Without `AGENTD_OTLP_ENDPOINT` nothing is traced
/// and the caller's `traceparent` is passed on unchanged.
struct TracingSettings: Sendable {
    /// `http(s)://host:port`: spans go to `<endpoint>/v1/traces`.
    var endpoint: String?
    /// AGENTD_OTLP_HEADERS (`k=v,k=v`): sent with every export (a collector's token). Secret.
    var headers: [(name: String, value: String)] = []
    var sampleRatio = 1.0
    var timeoutMs = 5_000
    var queueMax = 4096
    var batchSize = 512
    var intervalMs = 1_000

    static let settings: [Configuration.Setting] = [
        .init(name: "AGENTD_OTLP_ENDPOINT", defaultValue: "", summary: "OTLP/HTTP collector (http://otel-collector:4318): traces go to <endpoint>/v1/traces; empty: off"),
        .init(name: "AGENTD_OTLP_HEADERS", defaultValue: "", summary: "k=v,k=v headers sent with every export (secret)"),
        .init(name: "AGENTD_TRACE_SAMPLE_RATIO", defaultValue: "1.0", summary: "share of new traces sampled (a caller's traceparent decides for its own)"),
        .init(name: "AGENTD_OTLP_TIMEOUT_MS", defaultValue: "5000", summary: "deadline of one export request"),
        .init(name: "AGENTD_OTLP_QUEUE_MAX", defaultValue: "4096", summary: "finished spans waiting for export at most (more are dropped and counted)"),
        .init(name: "AGENTD_OTLP_BATCH_SIZE", defaultValue: "512", summary: "spans per export request"),
        .init(name: "AGENTD_OTLP_INTERVAL_MS", defaultValue: "1000", summary: "a partial batch is exported after this long"),
    ]

    static func load(from environment: [String: String], reader: EnvironmentReader) throws(ConfigurationError) -> TracingSettings {
        var settings = TracingSettings()
        if let text = environment["AGENTD_OTLP_ENDPOINT"]?.trimmingBlanks(), !text.isEmpty {
            guard text.hasPrefix("http://") || text.hasPrefix("https://"), text.utf8.count > 8, !text.contains(" ") else {
                throw ConfigurationError(
                    variable: "AGENTD_OTLP_ENDPOINT", value: text, problem: "not an http(s) URL",
                    accepted: "http(s)://host[:port][/path], e.g. http://otel-collector:4318"
                )
            }
            settings.endpoint = text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        for pair in reader.list("AGENTD_OTLP_HEADERS") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].trimmingBlanks().isEmpty,
                parts[0].utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                throw ConfigurationError(
                    variable: "AGENTD_OTLP_HEADERS", value: "<redacted>", problem: "an entry is not name=value",
                    accepted: "a comma list of name=value, e.g. authorization=Bearer abc"
                )
            }
            settings.headers.append((parts[0].trimmingBlanks(), parts[1].trimmingBlanks()))
        }
        settings.sampleRatio = try reader.decimal("AGENTD_TRACE_SAMPLE_RATIO", default: 1, in: 0...1)
        settings.timeoutMs = try reader.integer("AGENTD_OTLP_TIMEOUT_MS", default: 5_000, in: 1...60_000)
        settings.queueMax = try reader.integer("AGENTD_OTLP_QUEUE_MAX", default: 4096, in: 1...1_000_000)
        settings.batchSize = try reader.integer("AGENTD_OTLP_BATCH_SIZE", default: 512, in: 1...100_000)
        settings.intervalMs = try reader.integer("AGENTD_OTLP_INTERVAL_MS", default: 1_000, in: 10...60_000)
        return settings
    }
}
