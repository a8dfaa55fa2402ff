import Dispatch
import JSON
import Synchronization
import Locks

/// The built-in provider: no network, deterministic. It echoes the last user message ("echo: …"), counts
/// plausible tokens (about four characters a token in, a word a token out) and streams word by word.
/// With tools offered and a model name containing "tool", it calls the first tool with the user's text
/// (containing "tools": every tool offered, at once); given the tools' replies, it answers "tool said: …". That is enough to run agent loops with no provider key.
public struct MockProvider: ChatProvider {
    public let name: String
    public var knownModels: [String] { ["echo", "echo-tool"] }
    /// Pause between streamed words.
    let wordDelayMs: Int

    public init(name: String = "mock", wordDelayMs: Int = 0) {
        self.name = name
        self.wordDelayMs = wordDelayMs
    }

    public func complete(
        _ request: ChatRequest, completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>) -> Void
    ) -> ProviderCall {
        completion(.success(MockProvider.answer(request)))
        return ProviderCall(cancel: {}, resume: {})
    }

    public func stream(_ request: ChatRequest, callbacks: ChatStreamCallbacks) -> ProviderCall {
        let streamer = MockStreamer(answer: MockProvider.answer(request), callbacks: callbacks, delayMs: wordDelayMs)
        streamer.next()
        return ProviderCall(cancel: { streamer.cancel() }, resume: { streamer.resume() })
    }

    static func answer(_ request: ChatRequest) -> ChatCompletion {
        let input = request.messages.reduce(0) { $0 + $1.content.text.count + $1.toolCalls.reduce(0) { $0 + $1.arguments.count } }
        let inputTokens = max(1, (input + 3) / 4)
        let last = request.messages.last
        if last?.role == .tool {
            // Every result of the last round, in order ("a | b" after two calls at once).
            let results = request.messages.reversed().prefix { $0.role == .tool }.reversed().map(\.content.text)
            return reply("tool said: \(results.joined(separator: " | "))", request: request, inputTokens: inputTokens)
        }
        let userText = request.messages.last { $0.role == .user }?.content.text ?? ""
        let offered = (request.tools?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
        if MockProvider.mentionsTool(request.model), !offered.isEmpty {
            // "tools" in the name: every tool offered at once (at most 8); else the first.
            let names = MockProvider.mentions("tools", in: request.model) ? Array(offered.prefix(8)) : [offered[0]]
            let arguments = JSONValue.object(JSONObject([("query", .string(userText))])).text
            let calls = names.enumerated().map { index, name in
                ToolCall(id: "call_mock_\(abs(userText.hashValue % 1_000_000))_\(index)", name: name, arguments: arguments)
            }
            return ChatCompletion(
                text: "", toolCalls: calls, finishReason: .toolCalls,
                usage: ChatUsage(inputTokens: inputTokens, outputTokens: calls.count * (1 + arguments.count / 4))
            )
        }
        if let structured = structuredAnswer(request.responseFormat, userText: userText) {
            return ChatCompletion(
                text: structured, usage: ChatUsage(inputTokens: inputTokens, outputTokens: max(1, structured.utf8.count / 4))
            )
        }
        return reply("echo: \(userText)", request: request, inputTokens: inputTokens)
    }

    /// Whether a model name contains "tool" (bytewise: Foundation's `contains` is slow on every request).
    static func mentionsTool(_ model: String) -> Bool { mentions("tool", in: model) }

    /// Whether `model` contains `word` (bytewise).
    static func mentions(_ word: String, in model: String) -> Bool {
        let bytes = Array(model.utf8), word = Array(word.utf8)
        guard bytes.count >= word.count else { return false }
        return (0...(bytes.count - word.count)).contains { bytes[$0..<($0 + word.count)].elementsEqual(word) }
    }

    private static func reply(_ text: String, request: ChatRequest, inputTokens: Int) -> ChatCompletion {
        var words = text.split(separator: " ", omittingEmptySubsequences: true)
        var finish = FinishReason.stop
        if let limit = request.maxTokens, words.count > limit {
            words = Array(words.prefix(limit))
            finish = .length
        }
        return ChatCompletion(
            text: words.joined(separator: " "), finishReason: finish,
            usage: ChatUsage(inputTokens: inputTokens, outputTokens: max(1, words.count))
        )
    }
}

/// Streams one mock answer, a word (or tool-call piece) at a time, on a serial queue; honours pause and cancel.
private final class MockStreamer: Sendable {
    private struct State {
        var events: [ChatStreamEvent]
        var position = 0
        var paused = false
        var finished = false
        /// Counts resume() calls, so one that lands while onEvent is still running is not lost.
        var resumes = 0
    }

    private let state: Locked<State>
    private let summary: StreamSummary
    private let callbacks: ChatStreamCallbacks
    private let delayMs: Int
    private let queue = DispatchQueue(label: "agentd.mock.stream")

    init(answer: ChatCompletion, callbacks: ChatStreamCallbacks, delayMs: Int) {
        var events: [ChatStreamEvent] = []
        let words = answer.text.split(separator: " ", omittingEmptySubsequences: true)
        for (index, word) in words.enumerated() { events.append(.text(index == 0 ? String(word) : " " + word)) }
        for (index, call) in answer.toolCalls.enumerated() {
            events.append(.toolCallStart(index: index, id: call.id, name: call.name))
            let middle = call.arguments.index(call.arguments.startIndex, offsetBy: call.arguments.count / 2)
            events.append(.toolCallArguments(index: index, fragment: String(call.arguments[..<middle])))
            events.append(.toolCallArguments(index: index, fragment: String(call.arguments[middle...])))
        }
        state = Locked(State(events: events))
        summary = StreamSummary(finishReason: answer.finishReason, usage: answer.usage)
        self.callbacks = callbacks
        self.delayMs = delayMs
    }

    func next() {
        let work: @Sendable () -> Void = { [self] in step() }
        if delayMs > 0 { queue.asyncAfter(deadline: .now() + .milliseconds(delayMs), execute: work) } else { queue.async(execute: work) }
    }

    private func step() {
        let (event, resumesBefore) = state.withLock { state -> (ChatStreamEvent??, Int) in
            guard !state.finished, !state.paused else { return (.some(nil), state.resumes) }
            guard state.position < state.events.count else {
                state.finished = true
                return (nil, state.resumes)
            }
            defer { state.position += 1 }
            return (state.events[state.position], state.resumes)
        }
        switch event {
        case .none:
            callbacks.onComplete(.success(summary))
        case .some(.none):
            return
        case .some(.some(let event)):
            guard callbacks.onEvent(event) == .pause else { return next() }
            let resumedMeanwhile = state.withLock { state -> Bool in
                if state.resumes != resumesBefore { return true }
                state.paused = true
                return false
            }
            if resumedMeanwhile { next() }
        }
    }

    func resume() {
        let wasPaused = state.withLock { state -> Bool in
            state.resumes += 1
            defer { state.paused = false }
            return state.paused && !state.finished
        }
        if wasPaused { next() }
    }

    func cancel() {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.finished = true }
            return !state.finished
        }
        if wasRunning {
            queue.async { [self] in callbacks.onComplete(.failure(ProviderError(provider: "mock", kind: .cancelled, message: "cancelled"))) }
        }
    }
}
