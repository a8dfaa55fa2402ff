import Foundation
import JSON
@testable import LLM
import MockLLMSupport
import Synchronization
import Testing
import Locks

/// Each provider adapter against a live mock-llm on loopback: answers, streams, tool calls, and every fault
/// classified as the resilience layer needs it.
@Suite struct ProvidersAgainstMockLLMTests {
    enum Kind: String, CaseIterable { case openai, anthropic }

    static func provider(_ kind: Kind, port: Int, engine: TransferEngine, totalTimeoutMs: Int = 10_000) -> any ChatProvider {
        switch kind {
        case .openai:
            let configuration = ProviderConfiguration(name: "openai", kind: .openai, baseURL: "http://127.0.0.1:\(port)/v1", totalTimeoutMs: totalTimeoutMs)
            return HTTPChatProvider(wire: OpenAIWire(configuration: configuration), engine: engine)
        case .anthropic:
            let configuration = ProviderConfiguration(name: "anthropic", kind: .anthropic, baseURL: "http://127.0.0.1:\(port)", totalTimeoutMs: totalTimeoutMs)
            return HTTPChatProvider(wire: AnthropicWire(configuration: configuration), engine: engine)
        }
    }

    static let tools: JSONValue = [["type": "function", "function": ["name": "search", "parameters": ["type": "object"]]]]

    /// Collects a stream's events and result.
    final class Collected: Sendable {
        let events = Locked<[ChatStreamEvent]>([])
        let result = Locked<Result<StreamSummary, ProviderError>?>(nil)

        var callbacks: ChatStreamCallbacks {
            ChatStreamCallbacks(
                onEvent: { event in self.events.withLock { $0.append(event) }; return .proceed },
                onComplete: { result in self.result.withLock { $0 = result } }
            )
        }

        var text: String {
            events.withLock { $0.compactMap { if case .text(let text) = $0 { return text } else { return nil } }.joined() }
        }

        var arguments: String {
            events.withLock { $0.compactMap { if case .toolCallArguments(_, let piece) = $0 { return piece } else { return nil } }.joined() }
        }

        func wait() async -> Result<StreamSummary, ProviderError>? {
            for _ in 0..<500 {
                if let result = result.withLock({ $0 }) { return result }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }
    }

    @Test(arguments: Kind.allCases)
    func completeAndStream(_ kind: Kind) async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let provider = Self.provider(kind, port: mock.port, engine: engine)
        let request = ChatRequest(model: "m?chunks=3", messages: [.system("be kind"), .user("hello there world")], maxTokens: 50)
        let completion = try await provider.complete(request)
        #expect(completion.text == "echo: hello there world")
        #expect(completion.finishReason == .stop)
        #expect(completion.usage.inputTokens > 0 && completion.usage.outputTokens == 4)

        let collected = Collected()
        _ = provider.stream(request, callbacks: collected.callbacks)
        let summary = try #require(try await collected.wait()?.get())
        #expect(collected.text == "echo: hello there world")
        #expect(collected.events.withLock { $0.count } == 3)
        #expect(summary.usage.outputTokens == 4)
        #expect(summary.finishReason == .stop)
    }

    @Test(arguments: Kind.allCases)
    func toolCallThenToolResult(_ kind: Kind) async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let provider = Self.provider(kind, port: mock.port, engine: engine)
        let ask = ChatRequest(model: "m?tool=1", messages: [.user("weather in Oslo")], tools: Self.tools)
        let first = try await provider.complete(ask)
        #expect(first.finishReason == .toolCalls)
        let call = try #require(first.toolCalls.first)
        #expect(call.name == "search")
        #expect(try JSONValue.parse(call.arguments) == ["query": "weather in Oslo"])

        let collected = Collected()
        _ = provider.stream(ask, callbacks: collected.callbacks)
        _ = try #require(try await collected.wait()?.get())
        #expect(try JSONValue.parse(collected.arguments) == ["query": "weather in Oslo"])
        #expect(collected.events.withLock { $0.first } == .toolCallStart(index: 0, id: collected.events.withLock {
            if case .toolCallStart(_, let id, _) = $0.first! { return id } else { return "" }
        }, name: "search"))

        var loop = ask
        loop.messages += [ChatMessage(role: .assistant, toolCalls: [call]), ChatMessage(role: .tool, content: .text("sunny"), toolCallID: call.id)]
        #expect(try await provider.complete(loop).text == "tool said: sunny")
    }

    static let faults: [(fault: String, kind: ProviderError.Kind, retryable: Bool)] = [
        ("429", .status(429), true), ("500", .status(500), true), ("503", .status(503), true), ("529", .status(529), true),
        ("400", .status(400), false), ("401", .status(401), false), ("malformed", .invalidResponse, false),
    ]

    @Test(arguments: Kind.allCases, faults.indices)
    func faultsAreClassified(_ kind: Kind, _ index: Int) async throws {
        let (fault, expected, retryable) = Self.faults[index]
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let provider = Self.provider(kind, port: mock.port, engine: engine)
        do {
            _ = try await provider.complete(ChatRequest(model: "m?fault=\(fault)", messages: [.user("hi")]))
            Issue.record("\(fault) answered")
        } catch {
            #expect(error.kind == expected, "\(error)")
            #expect(error.isRetryable == retryable, "\(error)")
            if fault == "429" { #expect(error.retryAfterMs == 1000) }
        }
    }

    @Test(arguments: Kind.allCases)
    func quotaExhaustionIsNotRetryable(_ kind: Kind) async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        do {
            _ = try await Self.provider(kind, port: mock.port, engine: engine).complete(ChatRequest(model: "m?fault=insufficient_quota", messages: [.user("hi")]))
            Issue.record("answered")
        } catch {
            #expect(!error.isRetryable, "\(error)")
        }
    }

    @Test(arguments: Kind.allCases)
    func hungUpstreamTimesOut(_ kind: Kind) async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let provider = Self.provider(kind, port: mock.port, engine: engine, totalTimeoutMs: 400)
        do {
            _ = try await provider.complete(ChatRequest(model: "m?fault=hang", messages: [.user("hi")]))
            Issue.record("a hung upstream answered")
        } catch {
            #expect(error.kind == .timeout(.total))
            #expect(error.isRetryable)
        }
    }

    @Test(arguments: Kind.allCases)
    func resetMidStreamEndsWithAnErrorAfterSomeText(_ kind: Kind) async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let collected = Collected()
        _ = Self.provider(kind, port: mock.port, engine: engine).stream(
            ChatRequest(model: "m?fault=reset&chunks=4&chunk_delay_ms=20", messages: [.user("one two three four five")]), callbacks: collected.callbacks
        )
        let result = try #require(await collected.wait())
        guard case .failure(let error) = result else { Issue.record("the stream completed"); return }
        #expect(error.kind == .connection)
        #expect(!collected.text.isEmpty)
    }

    /// docs/api.md, Timeouts: a client that goes away cancels its upstream call; mock-llm sees the connection close.
    @Test(arguments: Kind.allCases)
    func cancelClosesTheUpstreamStream(_ kind: Kind) async throws {
        let mock = try await MockLLMProcess.start()
        defer { mock.kill() }
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let collected = Collected()
        let call = Self.provider(kind, port: mock.port, engine: engine).stream(
            // 50 chunks 100 ms apart: the cancel lands mid-stream even if the first event comes late.
            ChatRequest(model: "m?chunks=50&chunk_delay_ms=100", messages: [.user(String(repeating: "word ", count: 60))]),
            callbacks: collected.callbacks
        )
        for _ in 0..<300 where collected.events.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(collected.result.withLock { $0 } == nil, "the stream ended before the test could cancel it")
        call.cancel()
        #expect(try await mock.waitForStats { ($0["streams_cancelled"] as? Int) == 1 })
        guard case .failure(let error)? = await collected.wait() else { Issue.record("no cancellation"); return }
        #expect(error.kind == .cancelled)
    }
}
