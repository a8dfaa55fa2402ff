import Agent
import JSON
import LLM
import Testing

/// The response cache key: every field that shapes the answer, and nothing per request.
@Suite("the response cache key")
struct CacheKeyTests {
    static let base = ChatRequest(model: "m", messages: [.user("hi")], requestID: "a", traceparent: "00-1-2-01")

    @Test("the request id and trace context do not change it; what an Anthropic client passes through does")
    func fields() {
        var other = Self.base
        other.requestID = "b"
        other.traceparent = nil
        #expect(other.cacheKey(qualifiedModel: "p:m") == Self.base.cacheKey(qualifiedModel: "p:m"))
        var topK = Self.base
        topK.anthropic = AnthropicPassthrough(body: JSONObject([("top_k", 5)]))
        var otherTopK = Self.base
        otherTopK.anthropic = AnthropicPassthrough(body: JSONObject([("top_k", 6)]))
        #expect(topK.cacheKey(qualifiedModel: "p:m") != Self.base.cacheKey(qualifiedModel: "p:m"))
        #expect(topK.cacheKey(qualifiedModel: "p:m") != otherTopK.cacheKey(qualifiedModel: "p:m"))
        #expect(Self.base.cacheKey(qualifiedModel: "p:m") != Self.base.cacheKey(qualifiedModel: "q:m"))
    }
}
