import Dispatch
import LLM
import Locks
import Logging
import Resilience

/// One webhook on its way: its attempts, the waits between them and its single completion.
///
/// Owner: the state below sits behind a lock, since the engine's thread (an attempt's end), `retryQueue` (the
/// next attempt) and any caller (`cancel()`) reach it. `completion` runs exactly once and never under the lock.
/// Each attempt's answer (`AttemptAnswer`) is written by its engine callbacks and read in its completion, all on
/// the engine's thread. An attempt is judged by the status of the answer's head whenever one arrived: a 2xx
/// followed by a broken or endless body is still delivered. It never follows redirects, reads at most
/// `maxAnswerBodyBytes` of an answer's body (only to drop it), and never retries after a cancel.
public final class WebhookDelivery: Sendable {
    public let taskID: String
    /// Receivers answer with a few bytes, if any; past this the transfer is cut (the head has said it all).
    static let maxAnswerBodyBytes = 64 * 1024
    private let sender: WebhookSender
    /// Every attempt's request but for its attempt number.
    private let request: TransferRequest
    private let completion: @Sendable (WebhookOutcome) -> Void
    private let state = Locked<State>(State())

    private struct State {
        var attempts = 0
        var finished = false
        var cancelled = false
        /// The transfer of the attempt in flight, to cancel it; nil while waiting between attempts.
        var transfer: TransferHandle?
    }

    init(
        sender: WebhookSender, taskID: String, request: TransferRequest,
        completion: @escaping @Sendable (WebhookOutcome) -> Void
    ) {
        self.sender = sender
        self.taskID = taskID
        self.request = request
        self.completion = completion
    }

    /// Whether the delivery has ended, one way or another.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Stops the delivery: the attempt in flight is cancelled, no further one starts, and the completion gets
    /// `.failed(reason: "cancelled")` now, unless the delivery already ended.
    public func cancel() {
        let (transfer, attempts) = state.withLock { state -> (TransferHandle?, Int) in
            state.cancelled = true
            return (state.transfer, state.attempts)
        }
        transfer?.cancel()
        finish(.failed(attempts: attempts, reason: "cancelled"))
    }

    /// Starts the next attempt, unless the delivery ended or was cancelled meanwhile.
    func attempt() {
        let number = state.withLock { state -> Int? in
            guard !state.finished && !state.cancelled else { return nil }
            state.attempts += 1
            return state.attempts
        }
        guard let number else { return }
        var request = request
        request.headers.append(("X-Agentd-Delivery-Attempt", String(number)))
        // Written by onHead and onData, read by onComplete: all on the engine's thread, one after the other.
        let answer = Locked<AttemptAnswer>(AttemptAnswer())
        let transfer = sender.engines.pick().start(request, callbacks: TransferCallbacks(
            onHead: { head in answer.withLock { $0.head = head } },
            onData: { bytes in
                answer.withLock { answer in
                    answer.bodyBytes += bytes.count
                    return answer.bodyBytes <= WebhookDelivery.maxAnswerBodyBytes ? .proceed : .abort
                }
            },
            onComplete: { [self] result in attemptEnded(number, result: result, head: answer.withLock { $0.head }) }
        ))
        let cancelledMeanwhile = state.withLock { state -> Bool in
            // The attempt may have ended already; a stale handle is harmless (the engine ignores finished ids).
            if state.attempts == number { state.transfer = transfer }
            return state.cancelled
        }
        if cancelledMeanwhile { transfer.cancel() }
    }

    /// Classifies an attempt's end, logs a failure and retries or finishes.
    private func attemptEnded(_ number: Int, result: Result<Void, TransferError>, head: TransferHead?) {
        let cancelled = state.withLock { state -> Bool in
            state.transfer = nil
            return state.cancelled
        }
        if cancelled { return }
        let failure: RetryableFailure
        let description: String
        var fields: [String: LogValue] = ["task_id": .string(taskID), "attempt": .int(number)]
        if let head {
            // The receiver answered; what happened to the body after the head does not change the answer.
            if (200..<300).contains(head.status) {
                finish(.delivered(attempts: number, status: head.status))
                return
            }
            failure = WebhookDelivery.failure(status: head.status, head: head)
            description = "HTTP \(head.status)"
            fields["status"] = .int(head.status)
        } else {
            let error: TransferError
            switch result {
            case .success: error = .network("the transfer ended without an answer")
            case .failure(let failed): error = failed
            }
            (failure, description) = WebhookDelivery.failure(error)
            fields["error"] = .string(description)
        }
        var random = SystemRandom()
        // No deadline and no budget: a webhook's only bound is its attempt count, and it competes with nothing.
        let decision = sender.policy.retryPolicy.decide(
            attempt: number, failure: failure, clientHasBytes: false, nowMs: 0, deadlineMs: nil, budget: nil, using: &random
        )
        switch decision {
        case .retry(let delayMs): fields["retry_in_ms"] = .int(delayMs)
        case .stop(let reason): fields["gave_up"] = .string(reason.rawValue)
        }
        sender.logger.log(.warning, "webhook attempt failed", fields)
        switch decision {
        case .retry(let delayMs):
            sender.clock.schedule(afterMs: delayMs, on: sender.retryQueue) { [self] in attempt() }
        case .stop:
            finish(.failed(attempts: number, reason: description))
        }
    }

    /// Runs the completion if nothing did yet.
    func finish(_ outcome: WebhookOutcome) {
        let first = state.withLock { state -> Bool in
            if state.finished { return false }
            state.finished = true
            return true
        }
        guard first else { return }
        sender.forget(self)
        completion(outcome)
    }

    /// 408, 429 and every 5xx may pass; any other answer (4xx, a redirect) will not change on its own.
    static func failure(status: Int, head: TransferHead?) -> RetryableFailure {
        let retryable = status == 408 || status == 429 || (500..<600).contains(status)
        let retryAfterMs = head?.header("retry-after").flatMap(retryAfterMs(fromSeconds:))
        return RetryableFailure(isRetryable: retryable, retryAfterMs: retryAfterMs, reason: "status_\(status)")
    }

    /// Connection failures and timeouts are worth another try; a request curl refused or a cancel is not.
    static func failure(_ error: TransferError) -> (RetryableFailure, String) {
        switch error {
        case .connectFailed(let detail): return (.connection, "cannot connect: \(detail)")
        case .network(let detail): return (.connection, "connection failed: \(detail)")
        case .timedOut(let phase): return (.timeout, "timed out (\(phase.rawValue))")
        case .invalidRequest(let detail):
            return (RetryableFailure(isRetryable: false, reason: "invalid_request"), "invalid request: \(detail)")
        case .cancelled: return (RetryableFailure(isRetryable: false, reason: "cancelled"), "cancelled")
        }
    }

    /// `Retry-After: <delta-seconds>` (RFC 9110 §10.2.3) in milliseconds; nil for an HTTP-date or anything else.
    ///
    /// Digits only: a receiver is anyone's server, so values such as `1e999` or `inf` are not read as numbers,
    /// and a value too large for an `Int` saturates (the policy caps every wait at `maxDelayMs` anyway).
    static func retryAfterMs(fromSeconds text: String) -> Int? {
        let bytes = Array(text.utf8)
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return nil }
        let digits = bytes[first...last]
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        guard let seconds = Int(String(decoding: digits, as: UTF8.self)) else { return Int.max }
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        return overflow ? Int.max : milliseconds
    }
}

/// What one attempt received: the answer's head, once it came, and how many body bytes were dropped.
struct AttemptAnswer {
    var head: TransferHead?
    var bodyBytes = 0
}
