import Agent
import Redis
import Resilience

/// The Redis family's rate limit and budget: one script per request decides both on Redis' clock
/// (`RedisScripts.admit`), so a client's bucket and a key's budget are the same on every replica.
///
/// Owner: none; immutable. Redis owns the buckets and budgets; `localLimiter` (the fallback) guards its own.
/// Failure policy (docs/api.md, "Rate limits and budgets"; docs/operations.md, "3.4 While Redis is unreachable"):
/// when Redis cannot answer within its timeout, a request that must reserve budget is refused
/// (`SharedStateUnavailable`: 503, never unmetered spending); a request that needs only the rate limit falls back
/// to this replica's own bucket (`fallback == .local`, the default) or is refused (`.closed`).
public final class RedisAdmission: ClientAdmitting, TokenBudgeting {
    public enum RateLimitFallback: String, Sendable {
        case local, closed
    }

    public let client: RedisClient
    public let keys: RedisKeys
    public let ratePerSecond: Double
    public let burst: Int
    public let dailyTokens: Int
    /// How long a reservation holds its tokens if never settled (its replica died): longer than any call.
    public let reservationLifetimeMs: Int
    public let fallback: RateLimitFallback
    private let localLimiter: RateLimiter?
    private let settlements: SettlementBatch

    public init(
        client: RedisClient, keys: RedisKeys, ratePerSecond: Double, burst: Int, dailyTokens: Int,
        reservationLifetimeMs: Int, fallback: RateLimitFallback, clock: any TimeSource = SystemClock()
    ) {
        self.client = client
        self.keys = keys
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.dailyTokens = dailyTokens
        self.reservationLifetimeMs = reservationLifetimeMs
        self.fallback = fallback
        localLimiter = ratePerSecond > 0 ? RateLimiter(ratePerSecond: ratePerSecond, burst: burst, clock: clock) : nil
        settlements = SettlementBatch(client: client)
    }

    public var rateLimitBurst: Int? { ratePerSecond > 0 ? burst : nil }
    public var hasBudget: Bool { dailyTokens > 0 }

    public func admit(
        _ key: String, reservingTokens: Int?, completion: @escaping @Sendable (Result<ClientAdmission, SharedStateUnavailable>) -> Void
    ) {
        let reserve = hasBudget ? reservingTokens : nil
        evaluate(key, rate: ratePerSecond, reserve: reserve) { [self] result in
            switch result {
            case .success(let admission):
                completion(.success(admission))
            case .failure(let error):
                // Budgets never spend unmetered; a rate-only decision may fall back to this replica's bucket.
                guard reserve == nil, fallback == .local, let localLimiter else {
                    completion(.failure(SharedStateUnavailable(reason: error.description)))
                    return
                }
                completion(.success(ClientAdmission(rate: localLimiter.acquire(key), budget: nil)))
            }
        }
    }

    public func reserve(_ key: String, tokens: Int, completion: @escaping @Sendable (Result<BudgetAdmission, SharedStateUnavailable>) -> Void) {
        guard hasBudget else {
            completion(.success(BudgetAdmission(decision: .unlimited, reservation: nil)))
            return
        }
        evaluate(key, rate: 0, reserve: tokens) { result in
            switch result {
            case .success(let admission):
                completion(.success(admission.budget ?? BudgetAdmission(decision: .unlimited, reservation: nil)))
            case .failure(let error):
                completion(.failure(SharedStateUnavailable(reason: error.description)))
            }
        }
    }

    public func charge(_ key: String, tokens: Int) {
        guard hasBudget, tokens > 0 else { return }
        client.run(RedisScripts.charge, keys: [keys.budget(key)], arguments: [String(tokens)], operation: "budget_charge") { _ in }
    }

    /// Runs the admission script; a reply of another shape is a failure like any other.
    private func evaluate(
        _ key: String, rate: Double, reserve: Int?, completion: @escaping @Sendable (Result<ClientAdmission, RedisError>) -> Void
    ) {
        var arguments = [
            rate > 0 ? String(rate) : "0", String(burst), String(reserve ?? -1), String(dailyTokens),
            String(reservationLifetimeMs),
        ]
        var scriptKeys = [keys.bucket(key), keys.budget(key)]
        for item in settlements.take() {
            scriptKeys.append(item.usage)
            arguments += [String(item.expiryMinute), String(item.held), String(item.used)]
        }
        client.run(RedisScripts.admit, keys: scriptKeys, arguments: arguments, operation: "admit") { [self] result in
            completion(result.flatMap { reply in
                guard let values = reply.arrayValue?.compactMap(\.integerValue), values.count >= 7, values[3] != 1 || values.count == 8 else {
                    return .failure(.unexpectedReply("the admission script answered \(reply)"))
                }
                let rateDecision = rate > 0
                    ? RateDecision(allowed: values[0] == 1, limit: burst, remaining: Int(values[1]), retryAfterMs: Int(values[2]))
                    : nil
                let budget: BudgetAdmission?
                switch values[3] {
                case 1:
                    let tokens = reserve ?? 0
                    let usage = keys.budgetDay(key, day: Int(values[5]))
                    let expiryMinute = Int(values[7])
                    let reservation = BudgetReservation(key: key, tokens: tokens) { [settlements] used in
                        settlements.add(.init(usage: usage, expiryMinute: expiryMinute, held: tokens, used: used))
                    }
                    budget = BudgetAdmission(
                        decision: BudgetDecision(allowed: true, remaining: Int(values[4]), retryAfterSeconds: 0), reservation: reservation
                    )
                case 0:
                    budget = BudgetAdmission(
                        decision: BudgetDecision(allowed: false, remaining: 0, retryAfterSeconds: max(1, Int(values[6]))), reservation: nil
                    )
                default:
                    budget = nil
                }
                return .success(ClientAdmission(rate: rateDecision, budget: budget))
            })
        }
    }
}
