@testable import LLM
import Testing

/// Which failures the resilience layer may retry (the list in ProviderError's doc comment; README.md, API,
/// "Protection and resilience"), and the waits upstreams ask for.
@Suite struct ProviderErrorTests {
    @Test(arguments: [408, 409, 429, 500, 502, 503, 504, 529])
    func retryableStatuses(_ status: Int) {
        #expect(ProviderError(provider: "p", kind: .status(status), message: "x").isRetryable)
    }

    @Test(arguments: [400, 401, 403, 404, 413, 422])
    func clientErrorsAreNotRetried(_ status: Int) {
        #expect(!ProviderError(provider: "p", kind: .status(status), message: "x").isRetryable)
    }

    @Test func quotaExhaustedIsNotRetried() {
        let openAI = ProviderError(provider: "openai", kind: .status(429), message: "You exceeded your current quota", upstreamCode: "insufficient_quota")
        #expect(!openAI.isRetryable)
        let rate = ProviderError(provider: "openai", kind: .status(429), message: "Rate limit reached", upstreamCode: "rate_limit_exceeded")
        #expect(rate.isRetryable)
    }

    @Test func timeoutsAndConnectionFailuresAreRetried() {
        #expect(ProviderError(provider: "p", transfer: .timedOut(.total)).isRetryable)
        #expect(ProviderError(provider: "p", transfer: .connectFailed("refused")).isRetryable)
        #expect(!ProviderError(provider: "p", transfer: .cancelled).isRetryable)
    }

    /// Regression: `Retry-After: inf` parsed as an infinite Double and trapped converting to Int.
    @Test(arguments: ["inf", "1e999", "Infinity", "-1", "nan"])
    func absurdRetryAfterValuesNeverTrap(_ value: String) {
        for name in ["Retry-After", "retry-after-ms"] {
            let wait = ProviderError.retryAfterMs(from: TransferHead(status: 429, headers: [(name, value)]))
            #expect(wait == nil || wait == ProviderError.maxRetryAfterMs, "\(name): \(value)")
        }
    }

    @Test func retryAfterHeaders() {
        #expect(ProviderError.retryAfterMs(from: TransferHead(status: 429, headers: [("Retry-After", "2")])) == 2000)
        #expect(ProviderError.retryAfterMs(from: TransferHead(status: 429, headers: [("retry-after-ms", "150"), ("retry-after", "2")])) == 150)
        #expect(ProviderError.retryAfterMs(from: TransferHead(status: 429, headers: [("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")])) == nil)
    }

    @Test func openAIErrorBodyIsDecoded() {
        let wire = OpenAIWire(configuration: ProviderConfiguration(name: "openai", kind: .openai, baseURL: "http://x"))
        let error = wire.decodeError(
            status: 429, head: TransferHead(status: 429, headers: [("retry-after", "1")]),
            body: Array(#"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#.utf8)
        )
        #expect(error.message == "Rate limit reached")
        #expect(error.upstreamCode == "rate_limit_exceeded")
        #expect(error.retryAfterMs == 1000)
    }

    @Test func registryResolvesQualifiedBareAndUnknownNames() throws {
        let registry = ProviderRegistry(providers: [MockProvider(), MockProvider(name: "ollama")], defaultModel: "mock:echo")
        #expect(try registry.resolve("ollama:llama3:8b").qualifiedName == "ollama:llama3:8b")
        #expect(try registry.resolve("echo").qualifiedName == "mock:echo")
        #expect(try registry.resolve(nil).qualifiedName == "mock:echo")
        #expect(throws: ProviderError.self) { try registry.resolve("nowhere:model") }
        #expect(throws: ProviderError.self) { try registry.resolve("ollama:") }
    }
}
