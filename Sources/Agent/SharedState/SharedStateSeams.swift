import LLM
import Resilience

// The seams between agentd and the state its replicas must share (docs/operations.md, "3. Scale out: N
// replicas on one Redis").
//
// Each is completion based, like the server: nothing here blocks or awaits, and a completion may run at once
// on the caller's thread (the in-memory family) or later on the thread that got Redis' reply (the Redis
// family, normally the caller's own event loop). Two families implement them, and `AgentCore.build` picks one
// from the configuration:
//
//   seam                 in memory (one agentd)              Redis (N replicas, AGENTD_REDIS_URL)
//   RateLimiting         RateLimiter (token bucket shards)   one Lua script per decision, Redis' clock
//   TokenBudgeting       TokenBudget (reservations)          reserve/settle scripts, reservations that expire
//   ClientAdmitting      LocalAdmission (both, in turn)      bucket + reservation in one round trip
//   CompletionCaching    ResponseCache (LRU, single flight)  GET/SET with TTL, a lock for cross-replica flight
//   ConversationStoring  ConversationStore (LRU, TTL)        a list per conversation, atomic append + prune
//   (task queue)         Tasks' journal                      the next step (README.md, "Tasks across replicas (Redis)")
//
// A Redis family member answers `.failure(SharedStateUnavailable)` when Redis cannot be used, and applies
// the documented policy itself where there is one (docs/operations.md, "3.4 While Redis is unreachable": rate
// limits fall back to the local bucket; the cache answers as a miss); callers turn what remains into 503 +
// Retry-After.

/// Shared state could not be read or written (Redis down, slow or refusing): the request is answered 503 with
/// `Retry-After`, never served on a guess.
public struct SharedStateUnavailable: Error, Sendable, Equatable {
    public let reason: String
    /// Redis is normally back within seconds (restart, failover); clients retry soon.
    public static let retryAfterSeconds = 1

    public init(reason: String) { self.reason = reason }
}

/// The per-client token bucket (`AGENTD_RATE_LIMIT_RPS`, `AGENTD_RATE_LIMIT_BURST`).
public protocol RateLimiting: Sendable {
    /// The burst, for `X-RateLimit-Limit`.
    var burst: Int { get }
    func acquire(_ key: String, completion: @escaping @Sendable (Result<RateDecision, SharedStateUnavailable>) -> Void)
}

/// The daily token budget per key (`AGENTD_DAILY_TOKEN_BUDGET`), spent by reservation: `reserve` before the
/// call (its `max_tokens` plus the input's estimate) admits a call while the day's use plus the outstanding
/// reservations is under the budget, and holds the tokens; the call's `BudgetReservation.settle` puts back
/// what it did not use. Concurrent calls thus see each other's reservations and cannot overshoot the budget by
/// more than one call's misestimate.
public protocol TokenBudgeting: Sendable {
    var dailyTokens: Int { get }
    func reserve(_ key: String, tokens: Int, completion: @escaping @Sendable (Result<BudgetAdmission, SharedStateUnavailable>) -> Void)
    /// Charges tokens a call already used without a reservation (a task run, admitted at submission).
    func charge(_ key: String, tokens: Int)
}

/// What the budget said: allowed with a reservation to settle, or refused (429 until midnight UTC).
public struct BudgetAdmission: Sendable {
    public let decision: BudgetDecision
    /// nil when refused.
    public let reservation: BudgetReservation?

    public init(decision: BudgetDecision, reservation: BudgetReservation?) {
        self.decision = decision
        self.reservation = reservation
    }
}

/// The rate limit and the budget for one request, in one step (with Redis: one round trip).
public protocol ClientAdmitting: Sendable {
    /// The bucket's burst, or nil when there is no rate limit.
    var rateLimitBurst: Int? { get }
    /// Whether a budget is configured.
    var hasBudget: Bool { get }
    /// `reservingTokens`: the tokens to hold against the budget, or nil for a request that spends none.
    func admit(
        _ key: String, reservingTokens: Int?,
        completion: @escaping @Sendable (Result<ClientAdmission, SharedStateUnavailable>) -> Void
    )
}

/// The decisions for one request. `budget` is nil when the request spends no tokens, has no budget, or was
/// refused by the rate limit first (then nothing was reserved).
public struct ClientAdmission: Sendable {
    public let rate: RateDecision?
    public let budget: BudgetAdmission?

    public init(rate: RateDecision?, budget: BudgetAdmission?) {
        self.rate = rate
        self.budget = budget
    }
}

/// Whole answers of identical non-streamed requests, with single flight (docs/api.md, Response cache).
public protocol CompletionCaching: Sendable {
    var isEnabled: Bool { get }
    /// The answer for `key`: stored, joined, or computed by `compute` (which must call `finish` once).
    func fetch(
        _ key: String,
        compute: @escaping (_ finish: @escaping @Sendable (Result<ChatCompletion, ProviderError>) -> Void) -> Void,
        completion: @escaping @Sendable (Result<ChatCompletion, ProviderError>, CacheOutcome) -> Void
    )
}

/// Conversations: the history `/chat` replays when a client sends its `conversation_id` back.
public protocol ConversationStoring: Sendable {
    /// A fresh `conv_…` id; nothing is stored until a turn completes.
    func makeID() -> String
    /// The messages of conversation `id`, oldest first, marking it used; `.success(nil)` when unknown or expired.
    func history(_ id: String, completion: @escaping @Sendable (Result<[ChatMessage]?, SharedStateUnavailable>) -> Void)
    /// Appends a completed turn (the user's message and what the assistant produced), prunes the oldest whole
    /// turns past the token budget, and refreshes the TTL; atomically, so concurrent turns lose neither.
    func appendTurn(
        id: String, user: ChatMessage, assistant: [ChatMessage],
        completion: @escaping @Sendable (Result<Void, SharedStateUnavailable>) -> Void
    )
    /// Live conversations for the `agentd_conversations` gauge; may be refreshed in the background.
    var liveCount: Int { get }
}
