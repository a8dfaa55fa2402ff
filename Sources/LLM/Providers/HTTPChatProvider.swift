import HTTP
import JSON
import Synchronization

/// A provider reached over HTTP through the transfer engine, speaking one wire format.
struct HTTPChatProvider<Wire: WireFormat>: ChatProvider {
    let wire: Wire
    let engines: TransferEnginePool
    /// The configuration's name, kept apart: through the generic `Wire`, reading `wire.configuration` copies the
    /// whole configuration, and the gateway asks for the name several times a call.
    let name: String

    init(wire: Wire, engines: TransferEnginePool) {
        self.wire = wire
        self.engines = engines
        name = wire.configuration.name
    }

    init(wire: Wire, engine: TransferEngine) {
        self.init(wire: wire, engines: TransferEnginePool(engine))
    }

    var knownModels: [String] { wire.configuration.models }

    func complete(
        _ request: ChatRequest, completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>) -> Void
    ) -> ProviderCall {
        let wire = self.wire
        return perform({ () throws(ProviderError) in try wire.makeRequest(request, stream: false) }, decode: { body throws(ProviderError) in
            try wire.decodeCompletion(body)
        }, completion: completion)
    }

    /// One whole JSON exchange: a 200 answer decoded by `decode`, any other status by the wire's error decoder.
    func perform<Value: Sendable>(
        _ makeTransfer: () throws(ProviderError) -> TransferRequest,
        decode: @escaping @Sendable ([UInt8]) throws(ProviderError) -> Value,
        completion: @escaping @Sendable (Result<Value, ProviderError>) -> Void
    ) -> ProviderCall {
        let transfer: TransferRequest
        do {
            transfer = try makeTransfer()
        } catch {
            completion(.failure(error))
            return ProviderCall(cancel: {}, resume: {})
        }
        let wire = self.wire, name = self.name
        let handle = engines.pick().perform(transfer) { result in
            switch result {
            case .failure(let error):
                completion(.failure(ProviderError(provider: name, transfer: error)))
            case .success(let response) where response.head.status != 200:
                completion(.failure(wire.decodeError(status: response.head.status, head: response.head, body: response.body)))
            case .success(let response):
                completion(Result { () throws(ProviderError) in try decode(response.body) })
            }
        }
        return ProviderCall(handle)
    }

    func stream(_ request: ChatRequest, callbacks: ChatStreamCallbacks) -> ProviderCall {
        let transfer: TransferRequest
        do {
            transfer = try wire.makeRequest(request, stream: true)
        } catch {
            callbacks.onComplete(.failure(error))
            return ProviderCall(cancel: {}, resume: {})
        }
        let state = StreamState(wire: wire, callbacks: callbacks)
        let handle = engines.pick().start(transfer, callbacks: TransferCallbacks(
            onHead: { state.head($0) },
            onData: { state.data($0) },
            onComplete: { state.complete($0) }
        ))
        return ProviderCall(handle)
    }
}

extension HTTPChatProvider: EmbeddingProviding where Wire == OpenAIWire {
    func embed(
        _ request: EmbeddingRequest, completion: @escaping @Sendable (Result<EmbeddingResponse, ProviderError>) -> Void
    ) -> ProviderCall {
        let wire = self.wire
        return perform({ wire.makeEmbeddingRequest(request) }, decode: { body throws(ProviderError) in
            try wire.decodeEmbeddings(body)
        }, completion: completion)
    }
}

extension HTTPChatProvider: TokenCounting where Wire == AnthropicWire {
    func countTokens(_ request: ChatRequest, completion: @escaping @Sendable (Result<Int, ProviderError>) -> Void) -> ProviderCall {
        let wire = self.wire
        return perform({ wire.makeCountRequest(request) }, decode: { body throws(ProviderError) in
            guard let tokens = try ProviderJSON.parse(body, provider: wire.configuration.name)["input_tokens"]?.intValue else {
                throw ProviderError(provider: wire.configuration.name, kind: .invalidResponse, message: "no input_tokens in the answer")
            }
            return tokens
        }, completion: completion)
    }
}

/// One stream's decoding state. Owner: the transfer engine's thread (all three callbacks run there).
private final class StreamState<Wire: WireFormat>: @unchecked Sendable {
    private let wire: Wire
    private let callbacks: ChatStreamCallbacks
    private var parser = ServerSentEventParser()
    private var decoder: Wire.Decoder
    private var errorHead: TransferHead?
    private var errorBody: [UInt8] = []
    private var failure: ProviderError?
    private var ended = false
    private var emitted = false

    init(wire: Wire, callbacks: ChatStreamCallbacks) {
        self.wire = wire
        self.callbacks = callbacks
        decoder = wire.makeStreamDecoder()
    }

    func head(_ head: TransferHead) {
        if head.status != 200 { errorHead = head }
    }

    func data(_ bytes: UnsafeRawBufferPointer) -> TransferFlow {
        if errorHead != nil {
            // Error bodies are small; keep the first 64 KiB for the message.
            errorBody.append(contentsOf: bytes.prefix(max(0, 65_536 - errorBody.count)))
            return .proceed
        }
        guard failure == nil, !ended else { return .proceed }
        var flow = TransferFlow.proceed
        do throws(ProviderError) {
            var events: [ServerSentEvent] = []
            do throws(ServerSentEventParser.Failure) {
                try parser.feed(bytes) { events.append($0) }
            } catch {
                throw ProviderError(provider: wire.configuration.name, kind: .invalidResponse, message: "event stream: \(error)")
            }
            for event in events where !ended {
                ended = try decoder.decode(event) { streamEvent in
                    emitted = true
                    if callbacks.onEvent(streamEvent) == .pause { flow = .pause }
                }
            }
        } catch {
            failure = error
            return .abort
        }
        return flow
    }

    func complete(_ result: Result<Void, TransferError>) {
        let name = wire.configuration.name
        if let errorHead {
            callbacks.onComplete(.failure(wire.decodeError(status: errorHead.status, head: errorHead, body: errorBody)))
            return
        }
        if let failure {
            callbacks.onComplete(.failure(failure))
            return
        }
        switch result {
        case .failure(let error):
            callbacks.onComplete(.failure(ProviderError(provider: name, transfer: error)))
        case .success where ended || decoder.isComplete:
            callbacks.onComplete(.success(decoder.summary))
        case .success:
            callbacks.onComplete(.failure(ProviderError(
                provider: name, kind: emitted ? .connection : .invalidResponse, message: "stream ended before its last event"
            )))
        }
    }
}
