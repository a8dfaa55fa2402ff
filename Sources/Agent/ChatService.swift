import LLM
import Synchronization
import Locks

/// One chat turn ready to send: the agent and model it resolved to, the conversation, and the request.
public struct PreparedChat: Sendable {
    public let conversationID: String
    public let agent: AgentProfile
    public let resolution: ProviderRegistry.Resolution
    public let request: ChatRequest
    public let userMessage: ChatMessage

    /// `provider:model`, as answers and logs name it.
    public var model: String { resolution.qualifiedName }
}

/// Limits on a chat turn, from the contract's variables.
public struct ChatLimits: Sendable {
    public var maxMessageChars: Int
    public var maxSystemPromptChars: Int
    public var maxTokensPerRequest: Int

    public init(maxMessageChars: Int = 10_000, maxSystemPromptChars: Int = 5_000, maxTokensPerRequest: Int = 4096) {
        self.maxMessageChars = maxMessageChars
        self.maxSystemPromptChars = maxSystemPromptChars
        self.maxTokensPerRequest = maxTokensPerRequest
    }
}

/// What a client asked for in one `/chat` turn (already type-checked by the HTTP layer).
public struct ChatTurnInput: Sendable {
    public var message: String
    public var conversationID: String?
    public var agent: String?
    public var model: String?
    public var systemPrompt: String?
    public var maxTokens: Int?
    public var temperature: Double?
    public var requestID: String?
    public var traceparent: String?

    public init(
        message: String, conversationID: String? = nil, agent: String? = nil, model: String? = nil,
        systemPrompt: String? = nil, maxTokens: Int? = nil, temperature: Double? = nil, requestID: String? = nil,
        traceparent: String? = nil
    ) {
        self.message = message
        self.conversationID = conversationID
        self.agent = agent
        self.model = model
        self.systemPrompt = systemPrompt
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.requestID = requestID
        self.traceparent = traceparent
    }
}

/// Why a turn could not be prepared: the client's fault (400).
public struct ChatInputError: Error, Sendable, Equatable {
    public let message: String
    public let field: String?
}

/// The agent core for `/chat`: applies the agent profile and the request's overrides, threads the
/// conversation's history, calls the provider, and stores the turn once it completed.
///
/// Owner: none; immutable, its stores guard their own state.
public final class ChatService: Sendable {
    public let registry: ProviderRegistry
    public let catalog: AgentCatalog
    public let conversations: ConversationStore
    /// Where calls go: breakers, retries, fallbacks.
    public let gateway: LLMGateway

    public init(registry: ProviderRegistry, catalog: AgentCatalog, conversations: ConversationStore, gateway: LLMGateway? = nil) {
        self.registry = registry
        self.catalog = catalog
        self.conversations = conversations
        self.gateway = gateway ?? LLMGateway(registry: registry)
    }

    public func prepare(_ input: ChatTurnInput) throws(ChatInputError) -> PreparedChat {
        let agentName = input.agent ?? "default"
        guard let agent = catalog.profile(named: agentName) else {
            throw ChatInputError(message: "unknown agent \"\(agentName)\" (known: \(catalog.names.joined(separator: ", ")))", field: "agent")
        }
        let resolution: ProviderRegistry.Resolution
        do {
            resolution = try registry.resolve(input.model ?? agent.model)
        } catch {
            throw ChatInputError(message: error.message, field: "model")
        }
        let (conversationID, history) = conversations.begin(id: input.conversationID)
        var messages: [ChatMessage] = []
        if let system = input.systemPrompt ?? agent.systemPrompt, !system.isEmpty { messages.append(.system(system)) }
        messages += history
        let user = ChatMessage.user(input.message)
        messages.append(user)
        let request = ChatRequest(
            model: resolution.model, messages: messages, maxTokens: input.maxTokens ?? agent.maxTokens,
            temperature: input.temperature ?? agent.temperature, requestID: input.requestID, traceparent: input.traceparent
        )
        return PreparedChat(conversationID: conversationID, agent: agent, resolution: resolution, request: request, userMessage: user)
    }

    /// Completes a turn; the answer is stored when it succeeds. `completion` runs once, on the thread that
    /// finished the call, with what the gateway did (the model that answered after fallbacks, attempts).
    public func complete(
        _ chat: PreparedChat, useCache: Bool = false,
        completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>, GatewayReport) -> Void
    ) -> ProviderCall {
        let conversations = self.conversations
        return gateway.complete(chat.request, resolution: chat.resolution, useCache: useCache) { result, report in
            if case .success(let answer) = result {
                conversations.appendTurn(id: chat.conversationID, user: chat.userMessage, assistant: [.assistant(answer.text)])
            }
            completion(result, report)
        }
    }

    /// Streams a turn; the answer is stored when the stream completes, never when it fails.
    public func stream(
        _ chat: PreparedChat, callbacks: ChatStreamCallbacks, report: @escaping @Sendable (GatewayReport) -> Void = { _ in }
    ) -> ProviderCall {
        let text = Locked("")
        let conversations = self.conversations
        return gateway.stream(chat.request, resolution: chat.resolution, callbacks: ChatStreamCallbacks(
            onEvent: { event in
                if case .text(let piece) = event { text.withLock { $0 += piece } }
                return callbacks.onEvent(event)
            },
            onComplete: { result in
                if case .success = result {
                    conversations.appendTurn(id: chat.conversationID, user: chat.userMessage, assistant: [.assistant(text.withLock { $0 })])
                }
                callbacks.onComplete(result)
            }
        ), report: report)
    }
}
