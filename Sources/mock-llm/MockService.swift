import Foundation
import HTTP
import Logging
import Server
import Synchronization

/// The routes mock-llm serves and the state behind them: counters, scenario book, timer shards.
///
/// Owner: none; immutable but for atomics and the mutexes inside `MockStats`. Handlers run on event loops
/// and never block: anything later than now (latency, chunk delays) is a timer entry on a shard.
final class MockService: Sendable {
    static let models = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "claude-3-5-haiku-latest", "claude-sonnet-4-20250514"]

    let configuration: MockConfiguration
    let stats = MockStats()
    let shards: TimerShards
    let logger: Logger
    /// The `<n>` of response ids (`chatcmpl-mock-<n>`, `msg_mock_<n>`, `call_mock_<n>`, `toolu_mock_<n>`).
    private let sequence = Atomic<Int>(0)

    init(configuration: MockConfiguration, logger: Logger, shardCount: Int) {
        self.configuration = configuration
        self.logger = logger
        shards = TimerShards(count: shardCount)
    }

    func router() -> Router {
        var router = Router()
        router.add(.post, "/v1/chat/completions") { [self] request, responder in chat(.openAI, request, responder) }
        router.add(.post, "/v1/messages") { [self] request, responder in chat(.anthropic, request, responder) }
        router.add(.post, "/v1/messages/count_tokens", answer: { [self] request in countTokens(request) })
        router.add(.post, "/v1/embeddings", answer: { [self] request in embeddings(request) })
        router.add(.get, "/v1/models", answer: { [self] request in models(request) })
        router.add(.get, "/health", answer: { [self] _ in
            stats.countRequest(path: "/health")
            return .json(.ok, "{\"ok\":true}")
        })
        router.add(.get, "/stats", answer: { [self] _ in .json(.ok, stats.json()) })
        router.add(.post, "/stats/reset", answer: { [self] request in
            stats.reset(scenarios: request.queryParameters["scenarios"] == "true")
            return .json(.ok, "{\"ok\":true}")
        })
        return router
    }

    func authorized(_ provider: Provider, _ headers: HTTPHeaders) -> Bool {
        guard let key = configuration.apiKey else { return true }
        switch provider {
        case .openAI: return headers["Authorization"] == "Bearer " + key
        case .anthropic: return headers["x-api-key"] == key
        }
    }

    private func models(_ request: HTTPRequest) -> HTTPResponse {
        stats.countRequest(path: "/v1/models")
        let provider: Provider = request.headers["anthropic-version"] != nil ? .anthropic : .openAI
        guard authorized(.openAI, request.headers) || authorized(.anthropic, request.headers) else {
            return MockErrors.unauthorized(provider: provider, requestID: request.id)
        }
        let body = provider == .anthropic
            ? AnthropicWire.models(MockService.models) : OpenAIWire.models(MockService.models, created: 1_700_000_000)
        return MockErrors.response(.ok, body, provider: provider, requestID: request.id)
    }

    /// One chat turn in either format: authenticate, read, decide the fault, then answer (now or on a timer).
    private func chat(_ provider: Provider, _ request: HTTPRequest, _ responder: Responder) {
        stats.countRequest(path: request.path)
        let requestID = request.id
        guard authorized(provider, request.headers) else {
            return responder.respond(MockErrors.unauthorized(provider: provider, requestID: requestID))
        }
        if provider == .anthropic && request.headers["anthropic-version"] == nil {
            return responder.respond(MockErrors.invalidRequest(
                "anthropic-version: header is required", provider: provider, requestID: requestID))
        }
        let chat: ChatRequest
        let options: MockOptions
        do {
            chat = provider == .openAI ? try ChatRequest.openAI(body: request.body) : try ChatRequest.anthropic(body: request.body)
            options = try MockOptions.parse(model: chat.model, headers: request.headers)
        } catch {
            return responder.respond(MockErrors.invalidRequest(error.message, provider: provider, requestID: requestID))
        }
        let fault = stats.admit(options: options, model: chat.model)
        if let fault { stats.countFault(fault) }
        if logger.isEnabled(.debug) {
            logger.log(.debug, "request", [
                "route": .string(request.path), "model": .string(chat.model), "stream": .bool(chat.stream),
                "fault": .string(fault?.rawValue ?? "none"), "request_id": .string(requestID),
            ])
        }
        let shard = shards.pick()
        if fault == .hang {
            // Nothing is ever sent; the flight ends when the client goes away.
            let flight = Flight(chat.stream ? .stream : .request, stats: stats)
            responder.onCancel { flight.end(.cancelled) }
            return
        }
        if let fault, let response = MockErrors.fault(fault, provider: provider, retryAfterS: options.retryAfterS, requestID: requestID) {
            return deliver(response, afterMs: options.latencyMs, shard: shard, responder)
        }
        let number = sequence.add(1, ordering: .relaxed).newValue
        let answer = MockAnswer(request: chat, options: options)
        if chat.stream {
            stream(provider, chat, options, answer, number: number, fault: fault, shard: shard, requestID: requestID, responder)
            return
        }
        let body = provider == .openAI
            ? OpenAIWire.completion(
                id: "chatcmpl-mock-\(number)", created: Int(Date().timeIntervalSince1970), model: chat.model,
                answer: answer, callID: "call_mock_\(number)")
            : AnthropicWire.message(id: "msg_mock_\(number)", model: chat.model, answer: answer, toolUseID: "toolu_mock_\(number)")
        switch fault {
        case .reset?:
            let flight = Flight(.request, stats: stats)
            responder.onCancel { flight.end(.cancelled) }
            shard.run(afterMs: options.latencyMs) {
                // A reset with no response at all, as an upstream that dies under a request.
                if flight.end(.reset) { responder.abortWithReset() }
            }
        case .malformed?:
            let cut = Array(body.utf8.prefix(body.utf8.count / 2))
            deliver(MockErrors.response(.ok, String(decoding: cut, as: UTF8.self), provider: provider, requestID: requestID),
                    afterMs: options.latencyMs, shard: shard, responder)
        default:
            deliver(MockErrors.response(.ok, body, provider: provider, requestID: requestID),
                    afterMs: options.latencyMs, shard: shard, responder)
        }
    }

    private func stream(
        _ provider: Provider, _ chat: ChatRequest, _ options: MockOptions, _ answer: MockAnswer, number: Int,
        fault: MockFault?, shard: TimerShard, requestID: String, _ responder: Responder
    ) {
        let frames: StreamFrames
        var headers = StreamJob.headers
        switch provider {
        case .openAI:
            frames = OpenAIStreamFrames(
                id: "chatcmpl-mock-\(number)", created: Int(Date().timeIntervalSince1970), model: chat.model,
                includeUsage: chat.includeUsage, answer: answer, callID: "call_mock_\(number)", chunks: options.chunks)
        case .anthropic:
            frames = AnthropicStreamFrames(
                id: "msg_mock_\(number)", model: chat.model, answer: answer, toolUseID: "toolu_mock_\(number)", chunks: options.chunks)
            headers.add("request-id", requestID)
        }
        let ending: StreamJob.Ending
        switch fault {
        case .reset?: ending = .reset(bursts: max(1, frames.contentCount / 2))
        case .malformed?: ending = .malformed
        default: ending = .complete
        }
        let flight = Flight(.stream, stats: stats)
        responder.onCancel { flight.end(.cancelled) }
        let job = StreamJob(
            frames: frames, ending: ending, chunkDelayMs: options.chunkDelayMs, shard: shard, flight: flight, headers: headers)
        if options.latencyMs == 0 {
            job.start(responder)
        } else {
            shard.run(afterMs: options.latencyMs) { job.start(responder) }
        }
    }

    /// Answers now, or after `afterMs` on the shard's timer unless the client has gone by then.
    private func deliver(_ response: HTTPResponse, afterMs: Int, shard: TimerShard, _ responder: Responder) {
        guard afterMs > 0 else { return responder.respond(response) }
        let flight = Flight(.request, stats: stats)
        responder.onCancel { flight.end(.cancelled) }
        shard.run(afterMs: afterMs) { if flight.end(.completed) { responder.respond(response) } }
    }
}
