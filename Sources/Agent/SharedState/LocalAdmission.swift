import LLM
import Resilience

/// The in-memory family's `ClientAdmitting`: the rate limit, then (when it allowed the request) the budget.
/// Both answer at once, on the caller's thread. Owner: none; immutable, its members guard their own state.
public struct LocalAdmission: ClientAdmitting {
    public let limiter: (any RateLimiting)?
    public let budget: (any TokenBudgeting)?

    public init(limiter: (any RateLimiting)?, budget: (any TokenBudgeting)?) {
        self.limiter = limiter
        self.budget = budget
    }

    public var rateLimitBurst: Int? { limiter?.burst }
    public var hasBudget: Bool { budget != nil }

    public func admit(
        _ key: String, reservingTokens: Int?,
        completion: @escaping @Sendable (Result<ClientAdmission, SharedStateUnavailable>) -> Void
    ) {
        let budget = self.budget
        let reserveBudget: @Sendable (RateDecision?) -> Void = { rate in
            guard let budget, let tokens = reservingTokens else {
                completion(.success(ClientAdmission(rate: rate, budget: nil)))
                return
            }
            budget.reserve(key, tokens: tokens) { result in
                completion(result.map { ClientAdmission(rate: rate, budget: $0) })
            }
        }
        guard let limiter else {
            reserveBudget(nil)
            return
        }
        limiter.acquire(key) { result in
            switch result {
            case .failure(let failure): completion(.failure(failure))
            case .success(let decision) where !decision.allowed: completion(.success(ClientAdmission(rate: decision, budget: nil)))
            case .success(let decision): reserveBudget(decision)
            }
        }
    }
}

extension RateLimiter: RateLimiting {
    public func acquire(_ key: String, completion: @escaping @Sendable (Result<RateDecision, SharedStateUnavailable>) -> Void) {
        completion(.success(acquire(key)))
    }
}

extension TokenBudget: TokenBudgeting {
    public func reserve(_ key: String, tokens: Int, completion: @escaping @Sendable (Result<BudgetAdmission, SharedStateUnavailable>) -> Void) {
        completion(.success(reserve(key, tokens: tokens)))
    }

    public func charge(_ key: String, tokens: Int) { record(key, tokens: tokens) }
}

extension ResponseCache: CompletionCaching where Value == ChatCompletion, Failure == ProviderError {}

extension ConversationStore: ConversationStoring {
    public func makeID() -> String { begin(id: nil).id }

    public func history(_ id: String, completion: @escaping @Sendable (Result<[ChatMessage]?, SharedStateUnavailable>) -> Void) {
        completion(.success(history(for: id)))
    }

    public func appendTurn(
        id: String, user: ChatMessage, assistant: [ChatMessage],
        completion: @escaping @Sendable (Result<Void, SharedStateUnavailable>) -> Void
    ) {
        appendTurn(id: id, user: user, assistant: assistant)
        completion(.success(()))
    }

    public var liveCount: Int { count }
}
