import Dispatch
import LLM
import Locks

/// `agentd healthcheck [--url URL]`: exit 0 only when `GET /health/live` answers 200 (the Docker HEALTHCHECK,
/// which has no curl in the image). The default URL is this configuration's own port on loopback.
///
/// One request through a transfer engine of its own, bounded by short timeouts, so a hung server fails the
/// check instead of hanging it.
enum HealthcheckCommand {
    static let connectTimeoutMs = 1_000
    static let totalTimeoutMs = 3_000

    static func run(arguments: [String], environment: [String: String]) -> Int32 {
        var url: String?
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--url":
                guard let value = remaining.popFirst(), value.hasPrefix("http://") || value.hasPrefix("https://") else {
                    FileHandleStandardError.write("agentd healthcheck: --url needs an http(s) URL\n")
                    return 2
                }
                url = value
            case let other where other.hasPrefix("--url="):
                url = String(other.dropFirst("--url=".count))
            default:
                FileHandleStandardError.write("agentd healthcheck: unknown argument \(argument); usage: agentd healthcheck [--url URL]\n")
                return 2
            }
        }
        let target = url ?? defaultURL(environment)
        let engine: TransferEngine
        do {
            engine = try TransferEngine(name: "agentd-healthcheck")
        } catch {
            FileHandleStandardError.write("agentd healthcheck: \(error)\n")
            return 1
        }
        defer { engine.shutdown() }
        let done = DispatchSemaphore(value: 0)
        let outcome = Locked<Result<Int, TransferError>?>(nil)
        _ = engine.perform(TransferRequest(
            url: target, method: "GET", connectTimeoutMs: connectTimeoutMs, totalTimeoutMs: totalTimeoutMs, idleTimeoutMs: totalTimeoutMs
        ), maxResponseBytes: 64 * 1024) { result in
            outcome.withLock { $0 = result.map(\.head.status) }
            done.signal()
        }
        guard done.wait(timeout: .now() + .milliseconds(totalTimeoutMs + 1_000)) == .success, let result = outcome.withLock({ $0 }) else {
            FileHandleStandardError.write("agentd healthcheck: \(target): no answer in \(totalTimeoutMs) ms\n")
            return 1
        }
        switch result {
        case .success(200):
            return 0
        case .success(let status):
            FileHandleStandardError.write("agentd healthcheck: \(target) answered \(status)\n")
            return 1
        case .failure(let error):
            FileHandleStandardError.write("agentd healthcheck: \(target): \(error)\n")
            return 1
        }
    }

    /// `http://127.0.0.1:<AGENTD_PORT>/health/live` (IPv6 loopback when agentd listens on `::`).
    static func defaultURL(_ environment: [String: String]) -> String {
        let port = environment["AGENTD_PORT"].flatMap { Int($0.trimmingBlanks()) } ?? 8080
        let host = environment["AGENTD_HOST"]?.trimmingBlanks() == "::" ? "[::1]" : "127.0.0.1"
        return "http://\(host):\(port)/health/live"
    }
}
