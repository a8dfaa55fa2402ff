import Agent

/// The fields a chat turn and a task share, read and checked alike (a refusal names the field): the message,
/// and the agent, model, system prompt and max_tokens that override the profile.
struct TurnFields {
    let message: String
    let agent: String?
    let model: String?
    let systemPrompt: String?
    let maxTokens: Int?

    init(_ body: JSONBody, limits: ChatLimits) throws(APIFailure) {
        guard let message = try body.string("message", maxLength: limits.maxMessageChars, minLength: 1) else {
            throw .invalid("message is required: a string of 1 to \(limits.maxMessageChars) characters", param: "message")
        }
        self.message = message
        agent = try body.string("agent", maxLength: 64)
        model = try body.string("model", maxLength: 256)
        systemPrompt = try body.string("system_prompt", maxLength: limits.maxSystemPromptChars)
        maxTokens = try body.int("max_tokens", in: 1...limits.maxTokensPerRequest)
    }
}
