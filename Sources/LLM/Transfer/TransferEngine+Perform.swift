import Synchronization
import Locks

/// A whole upstream response.
public struct TransferResponse: Sendable {
    public var head: TransferHead
    public var body: [UInt8]
}

extension TransferEngine {
    /// Performs a request and collects the whole response. Cancelling the calling task cancels the transfer;
    /// a body over `maxResponseBytes` ends it with `.network`.
    public func perform(_ request: TransferRequest, maxResponseBytes: Int = 16 << 20) async throws -> TransferResponse {
        let collector = ResponseCollector(limit: maxResponseBytes)
        let id = Locked<TransferHandle?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<TransferResponse, Error>) in
                let callbacks = TransferCallbacks(
                    onHead: { collector.setHead($0) },
                    onData: { collector.append($0) ? .proceed : .abort },
                    onComplete: { result in
                        switch result {
                        case .success: continuation.resume(returning: collector.response)
                        case .failure(let error): continuation.resume(throwing: error)
                        }
                    }
                )
                let handle = start(request, callbacks: callbacks)
                id.withLock { $0 = handle }
            }
        } onCancel: {
            id.withLock { $0 }?.cancel()
        }
    }
}

/// Head and body of one response, filled on the engine thread and read once at completion.
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
