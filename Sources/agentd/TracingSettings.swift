/// OpenTelemetry traces, from the environment (docs/api.md, Tracing). Without `AGENTD_OTLP_ENDPOINT` nothing is traced
/// and the caller's `traceparent` is passed on unchanged.
struct TracingSettings: Sendable {
    /// `http(s)://host:port`: spans go to `<endpoint>/v1/traces`.
    var endpoint: String?
    /// AGENTD_OTLP_HEADERS (`k=v,k=v`): sent with every export (a collector's token). Secret.
    var headers: [(name: String, value: String)] = []
    var sampleRatio = Variable.sampleRatio.defaultValue
    var timeoutMs = Variable.timeoutMs.defaultValue
    var queueMax = Variable.queueMax.defaultValue
    var batchSize = Variable.batchSize.defaultValue
    var intervalMs = Variable.intervalMs.defaultValue

    static let settings: [Configuration.Setting] = [
        .init(name: "AGENTD_OTLP_ENDPOINT", defaultValue: "", summary: "OTLP/HTTP collector (http://otel-collector:4318): traces go to <endpoint>/v1/traces; empty: off"),
        .init(name: "AGENTD_OTLP_HEADERS", defaultValue: "", summary: "k=v,k=v headers sent with every export (secret)"),
        Variable.sampleRatio.setting,
        Variable.timeoutMs.setting,
        Variable.queueMax.setting,
        Variable.batchSize.setting,
        Variable.intervalMs.setting,
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
        settings.sampleRatio = try reader.read(Variable.sampleRatio)
        settings.timeoutMs = try reader.read(Variable.timeoutMs)
        settings.queueMax = try reader.read(Variable.queueMax)
        settings.batchSize = try reader.read(Variable.batchSize)
        settings.intervalMs = try reader.read(Variable.intervalMs)
        return settings
    }
}

extension TracingSettings {
    /// The variables of this group read as numbers: name, default, bounds and meaning, declared once.
    enum Variable {
        static let sampleRatio = DecimalVariable(
            "AGENTD_TRACE_SAMPLE_RATIO", default: 1, in: 0...1,
            "share of new traces sampled (a caller's traceparent decides for its own)"
        )
        static let timeoutMs = IntegerVariable(
            "AGENTD_OTLP_TIMEOUT_MS", default: 5_000, in: 1...60_000,
            "deadline of one export request"
        )
        static let queueMax = IntegerVariable(
            "AGENTD_OTLP_QUEUE_MAX", default: 4096, in: 1...1_000_000,
            "finished spans waiting for export at most (more are dropped and counted)"
        )
        static let batchSize = IntegerVariable(
            "AGENTD_OTLP_BATCH_SIZE", default: 512, in: 1...100_000,
            "spans per export request"
        )
        static let intervalMs = IntegerVariable(
            "AGENTD_OTLP_INTERVAL_MS", default: 1_000, in: 10...60_000,
            "a partial batch is exported after this long"
        )
    }
}
