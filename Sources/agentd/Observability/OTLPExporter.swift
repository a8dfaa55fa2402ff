import LLM
import Tracing

/// Sends span batches to `<AGENTD_OTLP_ENDPOINT>/v1/traces` as OTLP/HTTP JSON, through the libcurl engines
/// every upstream call uses, within `AGENTD_OTLP_TIMEOUT_MS`. A batch the collector does not take is dropped
/// (the tracer counts it): telemetry never retries its way into a request's path.
/// Owner: none; immutable.
struct OTLPExporter: SpanExporting {
    let url: String
    let headers: [(name: String, value: String)]
    let timeoutMs: Int
    let engines: TransferEnginePool

    init(settings: TracingSettings, endpoint: String, engines: TransferEnginePool) {
        url = endpoint + "/v1/traces"
        headers = [("Content-Type", "application/json"), ("Accept", "application/json")] + settings.headers.map { ($0.name, $0.value) }
        timeoutMs = settings.timeoutMs
        self.engines = engines
    }

    func export(_ body: [UInt8], spans: Int, completion: @escaping @Sendable (Bool) -> Void) {
        let request = TransferRequest(
            url: url, headers: headers, body: body, connectTimeoutMs: min(timeoutMs, 2_000), totalTimeoutMs: timeoutMs
        )
        _ = engines.pick().perform(request) { result in
            if case .success(let response) = result, (200..<300).contains(response.head.status) {
                completion(true)
            } else {
                completion(false)
            }
        }
    }
}
