import Locks

/// An LLM provider: one translation between our chat types and one wire format.
///
/// Implementations are immutable and safe from any thread. Streaming callbacks run on the transfer
/// engine's thread (or the mock's queue): they must not block.
public protocol ChatProvider: Sendable {
    /// The provider's name, the `provider` in `provider:model`.
    var name: String { get }
    /// Models to list in `GET /v1/models` (configured or known ones; the upstream may accept others).
    var knownModels: [String] { get }

    /// Starts a call for the whole answer. `completion` runs exactly once, on whichever thread finishes the
    /// call (the transfer engine's, or the caller's at once); cancelling ends it with `.cancelled`.
    func complete(
        _ request: ChatRequest, completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>) -> Void
    ) -> ProviderCall

    /// Starts a streamed call. `onEvent` may pause the stream (`.pause`), resumed by `ProviderCall.resume()`.
    /// `onComplete` runs exactly once; a failure before the first event leaves nothing sent to the client,
    /// so the caller may retry it.
    func stream(_ request: ChatRequest, callbacks: ChatStreamCallbacks) -> ProviderCall
}

extension ChatProvider {
    /// The whole answer; cancelling the calling task cancels the call.
    public func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatCompletion {
        let slot = CancellableCall()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<ChatCompletion, ProviderError>, Never>) in
                slot.set(complete(request) { continuation.resume(returning: $0) })
            }
        } onCancel: {
            slot.cancel()
        }
        return try result.get()
    }
}

/// A call that may be cancelled before it is known (a task cancelled while the call starts): the cancel then
/// reaches it as soon as it is set. Used by the async wrappers of `complete` and `TransferEngine.perform`.
final class CancellableCall: Sendable {
    private let state = Locked<(call: ProviderCall?, cancelled: Bool)>((nil, false), compact: true)

    func set(_ call: ProviderCall) {
        let cancelled = state.withLock { state -> Bool in
            state.call = call
            return state.cancelled
        }
        if cancelled { call.cancel() }
    }

    func cancel() {
        let call = state.withLock { state -> ProviderCall? in
            state.cancelled = true
            return state.call
        }
        call?.cancel()
    }
}

public struct ChatStreamCallbacks: Sendable {
    public var onEvent: @Sendable (ChatStreamEvent) -> TransferFlow
    public var onComplete: @Sendable (Result<StreamSummary, ProviderError>) -> Void

    public init(
        onEvent: @escaping @Sendable (ChatStreamEvent) -> TransferFlow,
        onComplete: @escaping @Sendable (Result<StreamSummary, ProviderError>) -> Void
    ) {
        self.onEvent = onEvent
        self.onComplete = onComplete
    }
}

/// A provider call in flight.
public struct ProviderCall: Sendable {
    private let cancelAction: @Sendable () -> Void
    private let resumeAction: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void, resume: @escaping @Sendable () -> Void) {
        cancelAction = cancel
        resumeAction = resume
    }

    public init(_ handle: TransferHandle) {
        self.init(cancel: { handle.cancel() }, resume: { handle.resume() })
    }

    public func cancel() { cancelAction() }
    public func resume() { resumeAction() }
}
