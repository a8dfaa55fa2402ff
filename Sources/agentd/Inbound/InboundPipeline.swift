import Agent
import Inbound
import LLM
import Locks
import Server

/// What every inbound chat API does with a request once its format decoded it: the gateway call (breakers,
/// retries, fallbacks, cache), the budget's settlement and the access log's note, then the answer in the
/// client's format, whole or streamed with backpressure and keep-alives. Limits and keys were checked before
/// (`ClientGuard`), metrics come from the gateway's observer.
///
/// Owner: none; immutable.
struct InboundPipeline: Sendable {
    let gateway: LLMGateway
    let keepAliveMs: Int
    var accounting = CallAccounting.none

    /// Runs before the answer goes out, with the whole answer (a stored response, say); the answer waits for
    /// `done`. A failed or cancelled call never reaches it.
    typealias Finishing = @Sendable (_ answer: ChatCompletion, _ done: @escaping @Sendable () -> Void) -> Void

    /// The model a request names (or the default), or the 400 naming `model` when no provider has it (docs/api.md,
    /// "Models and agents").
    func resolve(_ model: String?) throws(APIFailure) -> ProviderRegistry.Resolution {
        do {
            return try gateway.registry.resolve(model)
        } catch {
            throw APIFailure.invalid(error.message, param: "model")
        }
    }

    func serve<Format: InboundFormat>(
        _ call: ChatRequest, resolution: ProviderRegistry.Resolution, format: Format, stream: Bool,
        request: HTTPRequest, responder: Responder, finishing: Finishing? = nil
    ) {
        if stream {
            serveStream(call, resolution: resolution, format: format, request: request, responder: responder, finishing: finishing)
            return
        }
        let accounting = self.accounting
        let (client, reservation) = (request.client, request.reservation)
        let providerCall = gateway.complete(call, resolution: resolution, useCache: !ChatEndpoint.refusesCache(request)) { result, report in
            accounting.settle(report, client: client, reservation: reservation, succeeded: (try? result.get()) != nil, responder: responder)
            switch result {
            case .success(let completion):
                guard let finishing else {
                    responder.respond(.json(.ok, format.completion(completion)))
                    return
                }
                finishing(completion) { responder.respond(.json(.ok, format.completion(completion))) }
            case .failure(let error):
                responder.respond(format.errorResponse(APIFailure(error)))
            }
        }
        responder.onCancel { providerCall.cancel() }
    }

    private func serveStream<Format: InboundFormat>(
        _ call: ChatRequest, resolution: ProviderRegistry.Resolution, format: Format, request: HTTPRequest,
        responder: Responder, finishing: Finishing?
    ) {
        let bridge = StreamBridge(responder: responder, headers: ChatEndpoint.streamHeaders, keepAliveMs: keepAliveMs)
        // The whole answer is put together only for a `finishing` step that needs it.
        let encoder = Locked((encoder: format.makeStreamEncoder(), answer: finishing == nil ? nil : StreamedAnswer()), compact: true)
        let accounting = self.accounting
        // Only what the settlement needs outlives the request: a stream may run for minutes, and the request's
        // head and body are not needed once the call is built.
        let (client, reservation) = (request.client, request.reservation)
        let providerCall = gateway.stream(call, resolution: resolution, callbacks: ChatStreamCallbacks(
            onEvent: { event in
                let bytes = encoder.withLock { state -> [UInt8] in
                    state.answer?.add(event)
                    return state.encoder.encode(event)
                }
                return bridge.send(bytes)
            },
            onComplete: { result in
                switch result {
                case .success(let summary):
                    let end: @Sendable () -> Void = {
                        bridge.sendLast(encoder.withLock { $0.encoder.end(summary) })
                        bridge.finish()
                    }
                    guard let finishing, let answer = encoder.withLock({ $0.answer?.completion(summary) }) else { return end() }
                    finishing(answer, end)
                case .failure(let error):
                    let failure = APIFailure(error)
                    if bridge.failBeforeStart(format.errorResponse(failure)) { return }
                    bridge.sendLast(encoder.withLock { $0.encoder.failure(failure.inbound) })
                    bridge.finish()
                }
            }
        ), report: { report in
            accounting.settle(report, client: client, reservation: reservation, succeeded: report.attempts > 0, responder: responder)
        })
        bridge.attach(providerCall)
        responder.onCancel {
            providerCall.cancel()
            bridge.stop()
        }
    }
}
