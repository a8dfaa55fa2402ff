/// OpenTelemetry traces, from the environment (docs/api.md, Tracing). Without `AGENTD_OTLP_ENDPOINT` nothing is traced
/// and the caller's `traceparent` is passed on unchanged.
struct TracingSettings: Sendable {
    /// `http(s)://host:port`: spans go to `<endpoint>/v1/traces`.
    var endpoint: String?
    /// AGENTD_OTLP_HEADERS (`k=v,k=v`): sent with every export (a collector's token). Secret.
    var headers: [Header] = []
    var sampleRatio: Double = Configuration.Variable.traceSampleRatio.defaultValue
    var timeoutMs: Int = Configuration.Variable.otlpTimeoutMs.defaultValue
    var queueMax: Int = Configuration.Variable.otlpQueueMax.defaultValue
    var batchSize: Int = Configuration.Variable.otlpBatchSize.defaultValue
    var intervalMs: Int = Configuration.Variable.otlpIntervalMs.defaultValue

    /// One header of every export request.
    struct Header: Sendable {
        let name: String
        let value: String
    }
}
