import Agent
import LLM
import Redis
import RedisState
import Resilience

/// The implementations behind the shared-state seams (`SharedStateSeams.swift`), one family for the whole
/// process: in memory for one agentd, or Redis when `AGENTD_REDIS_URL` is set, so N replicas act as one.
/// Owner: none; immutable, each member guards its own state.
struct SharedStateFamily: Sendable {
    let admission: (any ClientAdmitting)?
    let budget: (any TokenBudgeting)?
    let cache: (any CompletionCaching)?
    let conversations: any ConversationStoring
    /// What `/v1/responses` keeps for `previous_response_id`.
    let responses: any ResponseStoring

    /// The embedded default: this process' memory.
    static func inMemory(configuration: Configuration, clock: any TimeSource) -> SharedStateFamily {
        let protection = configuration.protection
        let limiter = protection.rateLimitPerSecond > 0
            ? RateLimiter(ratePerSecond: protection.rateLimitPerSecond, burst: protection.rateLimitBurst, clock: clock)
            : nil
        let budget = protection.dailyTokenBudget > 0 ? TokenBudget(dailyTokens: protection.dailyTokenBudget, clock: clock) : nil
        let cache = protection.cacheTTLS > 0
            ? ResponseCache<ChatCompletion, ProviderError>(ttlMs: Int64(protection.cacheTTLS) * 1000, maxEntries: protection.cacheMaxEntries, clock: clock)
            : nil
        let conversations = ConversationStore(
            maxConversations: configuration.conversationsMax, ttlMs: UInt64(configuration.conversationTTLS) * 1000,
            maxHistoryTokens: configuration.conversationMaxTokens, clock: clock
        )
        return SharedStateFamily(
            admission: limiter != nil || budget != nil ? LocalAdmission(limiter: limiter, budget: budget) : nil,
            budget: budget, cache: cache, conversations: conversations,
            responses: ResponseMemoryStore(ttlMs: UInt64(configuration.conversationTTLS) * 1000, maxEntries: configuration.conversationsMax, clock: clock)
        )
    }

    /// N replicas as one: everything in the Redis behind `client`.
    static func redis(client: RedisClient, configuration: Configuration, clock: any TimeSource) -> SharedStateFamily {
        let keys = RedisKeys(prefix: configuration.redis.prefix)
        let protection = configuration.protection
        let upstreamMs = configuration.providers.upstreamTimeoutMs
        // A reservation outlives the longest call it can stand for (every retry at the upstream deadline).
        let reservationLifetimeMs = upstreamMs * protection.retryMaxAttempts * 2 + 60_000
        let admission = RedisAdmission(
            client: client, keys: keys, ratePerSecond: protection.rateLimitPerSecond, burst: protection.rateLimitBurst,
            dailyTokens: protection.dailyTokenBudget, reservationLifetimeMs: reservationLifetimeMs,
            fallback: RedisAdmission.RateLimitFallback(rawValue: configuration.redis.rateLimitFallback) ?? .local
        )
        let cache = protection.cacheTTLS > 0
            ? RedisResponseCache(client: client, keys: keys, ttlMs: protection.cacheTTLS * 1000, maxWaitMs: upstreamMs + 5_000, clock: clock)
            : nil
        return SharedStateFamily(
            admission: admission.rateLimitBurst != nil || admission.hasBudget ? admission : nil,
            budget: admission.hasBudget ? admission : nil, cache: cache,
            conversations: RedisConversationStore(
                client: client, keys: keys, ttlMs: configuration.conversationTTLS * 1000, maxHistoryTokens: configuration.conversationMaxTokens
            ),
            responses: RedisResponseStore(client: client, keys: keys, ttlMs: configuration.conversationTTLS * 1000)
        )
    }
}
