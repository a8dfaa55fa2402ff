// Also built alone with the JSON and Inbound sources by `FUZZ_TARGET=inbound Fuzz/run.sh` (one module there).
#if canImport(JSON)
import JSON
#endif

/// A chat call to one provider's model, after agent profiles and defaults were applied.
public struct ChatRequest: Sendable {
    /// The model as the provider names it (without our `provider:` prefix).
    public var model: String
    public var messages: [ChatMessage]
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var stop: [String]
    public var user: String?
    /// OpenAI-format `tools`, passed through to OpenAI-kind providers as sent, translated for Anthropic.
    public var tools: JSONValue?
    public var toolChoice: JSONValue?
    public var parallelToolCalls: Bool?
    /// Structured output, in Chat Completions' form (`{"type":"json_schema","json_schema":{name, schema, strict}}`
    /// or `{"type":"json_object"}`): passed to OpenAI-kind providers; Anthropic-kind ones refuse it (400).
    public var responseFormat: JSONValue?
    /// Sent upstream as `X-Request-ID`, so one id follows the call through both logs.
    public var requestID: String?
    /// W3C trace context, passed through.
    public var traceparent: String?
    /// What an Anthropic-format client sent that the fields above do not model, for Anthropic-kind upstreams.
    public var anthropic: AnthropicPassthrough?

    public init(
        model: String, messages: [ChatMessage], maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil,
        stop: [String] = [], user: String? = nil, tools: JSONValue? = nil, toolChoice: JSONValue? = nil,
        parallelToolCalls: Bool? = nil, requestID: String? = nil, traceparent: String? = nil
    ) {
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.stop = stop
        self.user = user
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.requestID = requestID
        self.traceparent = traceparent
    }
}

/// An inbound Anthropic Messages request as its client sent it, for Anthropic-kind upstreams: they get that
/// body (with the model and `stream` set by agentd) and the client's `anthropic-version` and `anthropic-beta`,
/// so what agentd does not model (`top_k`, `metadata`, `cache_control`, `document` blocks…) passes through.
/// OpenAI-kind upstreams get the translated request instead and never see it.
public struct AnthropicPassthrough: Sendable, Equatable {
    /// The client's body without `model` and `stream`.
    public var body: JSONObject
    public var version: String?
    public var beta: String?

    public init(body: JSONObject, version: String? = nil, beta: String? = nil) {
        self.body = body
        self.version = version
        self.beta = beta
    }
}
