import Synchronization
import Locks

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
/// Owner: the engine's thread (the lock only proves it to the compiler; it is never contended).
private final class ResponseCollector: Sendable {
    private struct State {
        var head = TransferHead(status: 0, headers: [])
        var body: [UInt8] = []
    }

    private let state = Locked(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func setHead(_ head: TransferHead) { state.withLock { $0.head = head } }

    /// Appends; false once the body would exceed the limit.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        state.withLock { state in
            guard state.body.count + bytes.count <= limit else { return false }
            state.body.append(contentsOf: bytes)
            return true
        }
    }

    var response: TransferResponse { state.withLock { TransferResponse(head: $0.head, body: $0.body) } }
}
