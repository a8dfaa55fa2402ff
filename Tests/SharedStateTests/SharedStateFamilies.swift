import Agent
import LLM
import Redis
@testable import RedisState
import RedisSupport
import Resilience

/// The two families behind the shared-state seams, built the same way for the shared behaviour suite: every
/// test runs against the in-memory classes and against Redis (a real redis-server of its own), and must see
/// the same behaviour.
enum Family: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, redis

    var description: String { rawValue }
}

/// One family's seams, and what to stop afterwards. Owner: the test.
final class FamilyFixture: @unchecked Sendable {
    let family: Family
    let server: RedisServerProcess?
    let client: RedisClient?
    let keys = RedisKeys(prefix: "test:")

    init(_ family: Family) async throws {
        self.family = family
        guard family == .redis else {
            server = nil
            client = nil
            return
        }
        let server = try RedisServerProcess()
        var settings = RedisClient.Settings(url: try RedisURL(parsing: server.url))
        settings.timeoutMs = 500
        settings.connections = 2
        let client = try RedisClient(settings: settings)
        client.start()
        _ = await waitUntil { client.isUp }
        self.server = server
        self.client = client
    }

    deinit {
        client?.stop()
        server?.kill()
    }

    func admission(ratePerSecond: Double, burst: Int, dailyTokens: Int) -> any ClientAdmitting {
        switch family {
        case .memory:
            let limiter = ratePerSecond > 0 ? RateLimiter(ratePerSecond: ratePerSecond, burst: burst, clock: SystemClock()) : nil
            let budget = dailyTokens > 0 ? TokenBudget(dailyTokens: dailyTokens) : nil
            return LocalAdmission(limiter: limiter, budget: budget)
        case .redis:
            return redisAdmission(ratePerSecond: ratePerSecond, burst: burst, dailyTokens: dailyTokens)
        }
    }

    func redisAdmission(ratePerSecond: Double, burst: Int, dailyTokens: Int, fallback: RedisAdmission.RateLimitFallback = .local) -> RedisAdmission {
        RedisAdmission(
            client: client!, keys: keys, ratePerSecond: ratePerSecond, burst: burst, dailyTokens: dailyTokens,
            reservationLifetimeMs: 60_000, fallback: fallback
        )
    }

    func budget(dailyTokens: Int) -> any TokenBudgeting {
        switch family {
        case .memory: TokenBudget(dailyTokens: dailyTokens)
        case .redis: redisAdmission(ratePerSecond: 0, burst: 1, dailyTokens: dailyTokens)
        }
    }

    func cache(ttlMs: Int) -> any CompletionCaching {
        switch family {
        case .memory: ResponseCache<ChatCompletion, ProviderError>(ttlMs: Int64(ttlMs), maxEntries: 100)
        case .redis: RedisResponseCache(client: client!, keys: keys, ttlMs: ttlMs, maxWaitMs: 10_000)
        }
    }

    /// Waits until the answer for `key` is stored (the Redis family writes it after the answer went out).
    func waitUntilCached(_ key: String) async throws -> Bool {
        guard let server else { return true }
        let answer = keys.cache(key).answer
        return try await waitUntil { try server.command(["EXISTS", answer]) == "1" }
    }

    /// Waits until conversation `id` expired, looking without touching it (reading it would refresh its TTL).
    func waitUntilExpired(_ id: String, in store: any ConversationStoring) async throws -> Bool {
        guard let server else { return await waitUntil { store.liveCount == 0 } }
        let turns = keys.conversation(id).turns
        return try await waitUntil { try server.command(["EXISTS", turns]) == "0" }
    }

    func conversations(ttlMs: Int = 60_000, maxHistoryTokens: Int) -> any ConversationStoring {
        switch family {
        case .memory: ConversationStore(maxConversations: 100, ttlMs: UInt64(ttlMs), maxHistoryTokens: maxHistoryTokens)
        case .redis: RedisConversationStore(client: client!, keys: keys, ttlMs: ttlMs, maxHistoryTokens: maxHistoryTokens)
        }
    }
}

// Completion-based seams as async calls, for the tests.
extension ClientAdmitting {
    func admit(_ key: String, reserving tokens: Int?) async -> Result<ClientAdmission, SharedStateUnavailable> {
        await withCheckedContinuation { continuation in admit(key, reservingTokens: tokens) { continuation.resume(returning: $0) } }
    }
}

extension TokenBudgeting {
    func reserve(_ key: String, tokens: Int) async -> Result<BudgetAdmission, SharedStateUnavailable> {
        await withCheckedContinuation { continuation in reserve(key, tokens: tokens) { continuation.resume(returning: $0) } }
    }
}

extension ConversationStoring {
    func history(_ id: String) async -> Result<[ChatMessage]?, SharedStateUnavailable> {
        await withCheckedContinuation { continuation in history(id) { continuation.resume(returning: $0) } }
    }

    func append(_ id: String, user: String, assistant: String) async -> Result<Void, SharedStateUnavailable> {
        await withCheckedContinuation { continuation in
            appendTurn(id: id, user: .user(user), assistant: [.assistant(assistant)]) { continuation.resume(returning: $0) }
        }
    }
}

extension CompletionCaching {
    func fetch(_ key: String, compute: @escaping (_ finish: @escaping @Sendable (Result<ChatCompletion, ProviderError>) -> Void) -> Void)
        async -> (Result<ChatCompletion, ProviderError>, CacheOutcome)
    {
        await withCheckedContinuation { continuation in
            fetch(key, compute: compute) { result, outcome in continuation.resume(returning: (result, outcome)) }
        }
    }
}
