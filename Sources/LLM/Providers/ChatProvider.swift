/// An LLM provider: one translation between our chat types and one wire format.
///
/// Implementations are immutable and safe from any thread. Streaming callbacks run on the transfer
/// engine's thread (or the mock's queue): they must not block.
public protocol ChatProvider: Sendable {
    /// The provider's name, the `provider` in `provider:model`.
    var name: String { get }
    /// Models to list in `GET /v1/models` (configured or known ones; the upstream may accept others).
    var knownModels: [String] { get }

    func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatCompletion

    /// Starts a streamed call. `onEvent` may pause the stream (`.pause`), resumed by `ProviderCall.resume()`.
    /// `onComplete` runs exactly once; a failure before the first event leaves nothing sent to the client,
    /// so the caller may retry it.
    func stream(_ request: ChatRequest, callbacks: ChatStreamCallbacks) -> ProviderCall
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
