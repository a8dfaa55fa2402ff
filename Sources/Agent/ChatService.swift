import LLM
import Synchronization
import Locks

/// One chat turn ready to send: the agent and model it resolved to, the conversation, and the request.
public struct PreparedChat: Sendable {
    public let conversationID: String
    public let agent: AgentProfile
    public let resolution: ProviderRegistry.Resolution
    /// The agent's own `fallback_models`, resolved; nil: the gateway's (`AGENTD_FALLBACK_MODELS`).
    public let fallbacks: [ProviderRegistry.Resolution]?
    public let request: ChatRequest
    public let userMessage: ChatMessage

    /// `provider:model`, as answers and logs name it.
    public var model: String { resolution.qualifiedName }
}

/// Limits on a chat turn, from the variables of docs/configuration.md.
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

/// A turn whose agent and model resolved: everything `prepare` needs but the conversation's history.
public struct ChatTurnPlan: Sendable {
    public let input: ChatTurnInput
    public let agent: AgentProfile
    public let resolution: ProviderRegistry.Resolution
    /// The agent's own `fallback_models`, resolved; nil when it names none (the gateway's apply).
    public let fallbacks: [ProviderRegistry.Resolution]?

    /// `provider:model`, as answers and logs name it.
    public var model: String { resolution.qualifiedName }
}

/// Why a turn could not be prepared: the client's input (400), or the conversation store could not be read
/// (503 + Retry-After: continuing a conversation never silently starts a fresh one).
public enum ChatPrepareFailure: Error, Sendable {
    case invalid(ChatInputError)
    case unavailable(SharedStateUnavailable)
}

/// The agent core for `/chat`: applies the agent profile and the request's overrides, threads the
/// conversation's history, calls the provider, and stores the turn once it completed.
///
/// Owner: none; immutable, its stores guard their own state. Completion based: with the Redis family the
/// history arrives later, on the thread that read it.
public final class ChatService: Sendable {
    public let registry: ProviderRegistry
    public let catalog: AgentCatalog
    public let conversations: any ConversationStoring
    /// Where calls go: breakers, retries, fallbacks.
    public let gateway: LLMGateway
    /// Each agent's own `fallback_models`, resolved once (agents that name none are absent: the gateway's apply).
    private let agentFallbacks: [String: [ProviderRegistry.Resolution]]

    public init(registry: ProviderRegistry, catalog: AgentCatalog, conversations: any ConversationStoring, gateway: LLMGateway? = nil) {
        self.registry = registry
        self.catalog = catalog
        self.conversations = conversations
        self.gateway = gateway ?? LLMGateway(registry: registry)
        var agentFallbacks: [String: [ProviderRegistry.Resolution]] = [:]
        for name in catalog.names {
            guard let models = catalog.profile(named: name)?.fallbackModels, !models.isEmpty else { continue }
            // The agents file was checked at start: each of its fallback models resolves.
            agentFallbacks[name] = models.compactMap { try? registry.resolve($0) }
        }
        self.agentFallbacks = agentFallbacks
    }

    /// Resolves the agent and the model, touching no store: what `POST /tasks` checks before it accepts a task.
    public func validate(_ input: ChatTurnInput) throws(ChatInputError) -> ChatTurnPlan {
        let agentName = input.agent ?? "default"
        guard let agent = catalog.profile(named: agentName) else {
            throw ChatInputError(message: "unknown agent \"\(agentName)\" (known: \(catalog.names.joined(separator: ", ")))", field: "agent")
        }
        do {
            return ChatTurnPlan(
                input: input, agent: agent, resolution: try registry.resolve(input.model ?? agent.model), fallbacks: agentFallbacks[agentName]
            )
        } catch {
            throw ChatInputError(message: error.message, field: "model")
        }
    }

    /// Validates the turn and reads its conversation's history: a known `conversation_id` continues it, an
    /// unknown or expired one (or none) starts a fresh conversation. `completion` runs once, at once or on the
    /// thread that read the history.
    public func prepare(_ input: ChatTurnInput, completion: @escaping @Sendable (Result<PreparedChat, ChatPrepareFailure>) -> Void) {
        let plan: ChatTurnPlan
        do {
            plan = try validate(input)
        } catch {
            completion(.failure(.invalid(error)))
            return
        }
        guard let id = input.conversationID else {
            completion(.success(prepared(plan, conversationID: conversations.makeID(), history: [])))
            return
        }
        let conversations = self.conversations
        conversations.history(id) { result in
            switch result {
            case .failure(let failure):
                completion(.failure(.unavailable(failure)))
            case .success(let history?):
                completion(.success(self.prepared(plan, conversationID: id, history: history)))
            case .success(nil):
                completion(.success(self.prepared(plan, conversationID: conversations.makeID(), history: [])))
            }
        }
    }

    /// A one-turn chat with no conversation (a task): no store is read.
    public func prepareSingleTurn(_ input: ChatTurnInput) throws(ChatInputError) -> PreparedChat {
        prepared(try validate(input), conversationID: "", history: [])
    }

    private func prepared(_ plan: ChatTurnPlan, conversationID: String, history: [ChatMessage]) -> PreparedChat {
        let input = plan.input
        var messages: [ChatMessage] = []
        if let system = input.systemPrompt ?? plan.agent.systemPrompt, !system.isEmpty { messages.append(.system(system)) }
        messages += history
        let user = ChatMessage.user(input.message)
        messages.append(user)
        let request = ChatRequest(
            model: plan.resolution.model, messages: messages, maxTokens: input.maxTokens ?? plan.agent.maxTokens,
            temperature: input.temperature ?? plan.agent.temperature, requestID: input.requestID, traceparent: input.traceparent
        )
        return PreparedChat(
            conversationID: conversationID, agent: plan.agent, resolution: plan.resolution, fallbacks: plan.fallbacks, request: request,
            userMessage: user
        )
    }

    /// Completes a turn; the answer is stored when it succeeds, and `completion` runs once the store has it
    /// (so the client's next turn, on any replica, finds it), with what the gateway did (the model that
    /// answered after fallbacks, attempts). A store that fails to take the turn does not cost the client the
    /// answer it paid for.
    public func complete(
        _ chat: PreparedChat, useCache: Bool = false,
        completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>, GatewayReport) -> Void
    ) -> ProviderCall {
        let conversations = self.conversations
        return gateway.complete(chat.request, resolution: chat.resolution, fallbacks: chat.fallbacks, useCache: useCache) { result, report in
            guard case .success(let answer) = result else {
                completion(result, report)
                return
            }
            conversations.appendTurn(id: chat.conversationID, user: chat.userMessage, assistant: [.assistant(answer.text)]) { _ in
                completion(result, report)
            }
        }
    }

    /// Streams a turn; the answer is stored when the stream completes, never when it fails; the stream's end
    /// is passed on once the store has it.
    public func stream(
        _ chat: PreparedChat, callbacks: ChatStreamCallbacks, report: @escaping @Sendable (GatewayReport) -> Void = { _ in }
    ) -> ProviderCall {
        let text = Locked("")
        let conversations = self.conversations
        return gateway.stream(chat.request, resolution: chat.resolution, fallbacks: chat.fallbacks, callbacks: ChatStreamCallbacks(
            onEvent: { event in
                if case .text(let piece) = event { text.withLock { $0 += piece } }
                return callbacks.onEvent(event)
            },
            onComplete: { result in
                guard case .success = result else {
                    callbacks.onComplete(result)
                    return
                }
                let answer = text.withLock { $0 }
                conversations.appendTurn(id: chat.conversationID, user: chat.userMessage, assistant: [.assistant(answer)]) { _ in
                    callbacks.onComplete(result)
                }
            }
        ), report: report)
    }
}
