
/// A whole upstream response.
public struct TransferResponse: Sendable {
    public var head: TransferHead
    public var body: [UInt8]
}

extension TransferEngine {
    /// Performs a request and collects the whole response; `completion` runs once, on the engine's thread.
    /// A body over `maxResponseBytes` ends the transfer with `.network`.
    public func perform(
        _ request: TransferRequest, maxResponseBytes: Int = 16 << 20,
        completion: @escaping @Sendable (Result<TransferResponse, TransferError>) -> Void
    ) -> TransferHandle {
        let collector = ResponseCollector(limit: maxResponseBytes)
        return start(request, callbacks: TransferCallbacks(
            onHead: { collector.setHead($0) },
            onData: { collector.append($0) ? .proceed : .abort },
            onComplete: { result in completion(result.map { collector.response }) }
        ))
    }

    /// Performs a request and collects the whole response. Cancelling the calling task cancels the transfer.
    public func perform(_ request: TransferRequest, maxResponseBytes: Int = 16 << 20) async throws(TransferError) -> TransferResponse {
        let slot = CancellableCall()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<TransferResponse, TransferError>, Never>) in
                slot.set(ProviderCall(perform(request, maxResponseBytes: maxResponseBytes) { continuation.resume(returning: $0) }))
            }
        } onCancel: {
            slot.cancel()
        }
        return try result.get()
    }
}

/// Head and body of one response, filled on the engine thread and read once at completion.
/// Owner: the engine's thread. curl calls the head, data and completion callbacks of one transfer there, one
/// after another, never at once; nothing else holds the collector. (It was behind a lock that was never
/// contended; the lock cost two allocations per request.)
private final class ResponseCollector: @unchecked Sendable {
    private var head = TransferHead(status: 0, fieldLines: [], httpVersion: 1)
    private var body: [UInt8] = []
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func setHead(_ head: TransferHead) { self.head = head }

    /// Appends; false once the body would exceed the limit.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= limit else { return false }
        body.append(contentsOf: bytes)
        return true
    }

    var response: TransferResponse { TransferResponse(head: head, body: body) }
}
