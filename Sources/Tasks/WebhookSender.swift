import Dispatch
import LLM
import Locks
import Logging
import Resilience
import Security

/// Delivers finished tasks to their `callback_url`: a signed POST through the libcurl transfer engines, retried
/// with jittered exponential backoff.
///
/// Owner: none of its own mutable state but the set of deliveries in flight, behind a lock (for `shutdown()`).
/// Each delivery owns its attempts (`WebhookDelivery`). Transfers run on the pool's engines and waits between
/// attempts on `retryQueue` as timers: it never creates a thread and never blocks one. It never logs the secret
/// or the body, nor the URL (a receiver's URL often carries a token of its own).
///
/// The request: `POST url` with the body as given (the finished task record, JSON) and the headers
/// `Content-Type: application/json`, `User-Agent: agentd`, `X-Agentd-Event: task.finished`,
/// `X-Agentd-Task-ID`, `X-Agentd-Delivery` (stable across attempts), `X-Agentd-Delivery-Attempt` (from 1) and, with a secret, `X-Agentd-Signature:
/// sha256=<hex>`: the lowercase hex HMAC-SHA256 (RFC 2104) of the exact body bytes keyed with the secret, the
/// same on every attempt, so a receiver verifies it before parsing anything. Redirects are not followed.
public final class WebhookSender: Sendable {
    /// The value of `X-Agentd-Event` for a finished task.
    public static let taskFinishedEvent = "task.finished"
    /// The `User-Agent` of every webhook request.
    static let userAgent = "agentd"

    let engines: TransferEnginePool
    /// The secret's bytes; nil when none is configured (an empty secret counts as none).
    private let secret: [UInt8]?
    public let policy: WebhookPolicy
    let logger: Logger
    let retryQueue: DispatchQueue
    /// Times the waits between attempts.
    let clock: any TimeSource
    /// Deliveries not finished yet, and whether `shutdown()` ran: one lock, so none is added after it.
    private let inFlight = Locked<(deliveries: [ObjectIdentifier: WebhookDelivery], closed: Bool)>(([:], false))

    /// - Parameters:
    ///   - secret: AGENTD_WEBHOOK_SECRET; nil or empty sends no signature.
    ///   - retryQueue: where waits between attempts are timed; a serial queue of its own when nil.
    public init(
        engines: TransferEnginePool, secret: String?, policy: WebhookPolicy = WebhookPolicy(), logger: Logger,
        retryQueue: DispatchQueue? = nil, clock: any TimeSource = SystemClock()
    ) {
        self.engines = engines
        self.secret = secret.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        self.policy = policy
        self.logger = logger
        self.retryQueue = retryQueue ?? DispatchQueue(label: "agentd.webhooks")
        self.clock = clock
    }

    /// POSTs `body` to `url` until a 2xx, a final failure or `maxAttempts`; `completion` runs exactly once.
    ///
    /// 2xx is delivered. 408, 429, 5xx, connection failures and timeouts are retried after a full-jitter wait
    /// (`Retry-After` in seconds honoured up to `maxDelayMs`); any other status fails at once. A URL that
    /// `CallbackURL.validate` refuses fails with 0 attempts. `completion` runs on an engine's thread, on
    /// `retryQueue`, or on the caller's thread (a refused URL, a cancel): it must not block.
    ///
    /// - Parameter taskID: agentd's own identifier; it becomes a header value, so it holds no control characters.
    /// - Returns: the delivery, to cancel it; `shutdown()` cancels every one.
    @discardableResult
    public func deliver(
        taskID: String, url: String, body: [UInt8], traceparent: String? = nil,
        completion: @escaping @Sendable (WebhookOutcome) -> Void
    ) -> WebhookDelivery {
        precondition(
            !taskID.utf8.contains { $0 < 0x20 || $0 == 0x7f },
            "a task ID becomes the X-Agentd-Task-ID header: it cannot hold control characters"
        )
        let delivery = WebhookDelivery(
            sender: self, taskID: taskID, request: request(url: url, taskID: taskID, body: body, traceparent: traceparent), completion: completion
        )
        if let problem = CallbackURL.validate(url) {
            delivery.finish(.failed(attempts: 0, reason: "callback URL refused: \(problem)"))
            return delivery
        }
        let accepted = inFlight.withLock { state -> Bool in
            if state.closed { return false }
            state.deliveries[ObjectIdentifier(delivery)] = delivery
            return true
        }
        guard accepted else {
            delivery.finish(.failed(attempts: 0, reason: "webhooks are shut down"))
            return delivery
        }
        delivery.attempt()
        return delivery
    }

    /// Cancels every delivery in flight (each completes with `.failed(reason: "cancelled")`) and refuses new
    /// ones. Transfers already started end through their engine, which the caller shuts down after this.
    public func shutdown() {
        let deliveries = inFlight.withLock { state in
            state.closed = true
            let deliveries = Array(state.deliveries.values)
            state.deliveries.removeAll()
            return deliveries
        }
        for delivery in deliveries { delivery.cancel() }
    }

    /// Deliveries not finished yet (tests, metrics).
    public var deliveriesInFlight: Int { inFlight.withLock { $0.deliveries.count } }

    /// `sha256=` and the lowercase hex HMAC-SHA256 of `body` keyed with the secret's UTF-8 bytes.
    public static func signature(body: [UInt8], secret: String) -> String {
        signature(body: body, secretBytes: Array(secret.utf8))
    }

    private static func signature(body: [UInt8], secretBytes: [UInt8]) -> String {
        "sha256=" + SHA256.hex(HMACSHA256.authenticationCode(key: secretBytes, message: body))
    }

    /// `X-Agentd-Delivery`: the same on every attempt and on whichever replica makes it (a task finishes once, so
    /// it has one delivery), for receivers to drop duplicates: `dlv_` and the task id's random part.
    public static func deliveryID(taskID: String) -> String {
        "dlv_" + (taskID.hasPrefix("task_") ? String(taskID.dropFirst(5)) : taskID)
    }

    /// Called by a delivery once it has finished.
    func forget(_ delivery: WebhookDelivery) {
        inFlight.withLock { _ = $0.deliveries.removeValue(forKey: ObjectIdentifier(delivery)) }
    }

    /// Every attempt's request but for `X-Agentd-Delivery-Attempt`, which the delivery adds. The signature is
    /// computed once here: the body does not change between attempts.
    private func request(url: String, taskID: String, body: [UInt8], traceparent: String?) -> TransferRequest {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("User-Agent", WebhookSender.userAgent),
            ("X-Agentd-Event", WebhookSender.taskFinishedEvent),
            ("X-Agentd-Task-ID", taskID),
            ("X-Agentd-Delivery", WebhookSender.deliveryID(taskID: taskID)),
        ]
        if let secret { headers.append(("X-Agentd-Signature", WebhookSender.signature(body: body, secretBytes: secret))) }
        if let traceparent { headers.append(("traceparent", traceparent)) }
        return TransferRequest(
            url: url, method: "POST", headers: headers, body: body,
            connectTimeoutMs: min(policy.timeoutMs, WebhookPolicy.maxConnectTimeoutMs),
            totalTimeoutMs: policy.timeoutMs, idleTimeoutMs: 0
        )
    }
}
