import Server

/// What agentd attaches to an exchange for its access line and its server span (the server carries these and
/// reads none): who the client was, the model call's provider, model, tokens and attempts, the cache's answer,
/// and the agent of a `/chat` turn.
extension ExchangeNote {
    init(
        client: String? = nil, provider: String? = nil, model: String? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil,
        attempts: Int? = nil, cache: String? = nil, agent: String? = nil
    ) {
        self.init()
        set("client", client.map(Value.text))
        set("provider", provider.map(Value.text))
        set("model", model.map(Value.text))
        set("input_tokens", inputTokens.map(Value.number))
        set("output_tokens", outputTokens.map(Value.number))
        set("attempts", attempts.map(Value.number))
        set("cache", cache.map(Value.text))
        set("agent", agent.map(Value.text))
    }

    /// The rate-limit and budget identity: an API key's name, or the client address. Never a key.
    var client: String? { text("client") }
    var provider: String? { text("provider") }
    var model: String? { text("model") }
    var inputTokens: Int? { number("input_tokens") }
    var outputTokens: Int? { number("output_tokens") }
    var attempts: Int? { number("attempts") }
    /// `hit`, `miss`, `joined`, or nil when the cache was not consulted.
    var cache: String? { text("cache") }
    /// The agent profile of a `/chat` turn.
    var agent: String? { text("agent") }
}
