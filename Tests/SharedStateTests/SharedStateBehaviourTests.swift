import Agent
import Foundation
import LLM
import Locks
import RedisSupport
import Testing
@testable import RedisState

/// One behaviour, two families: each test runs against the in-memory classes and against Redis, and both
/// must pass it unchanged (the seams' promises, SharedStateSeams.swift).
@Suite(.serialized) struct SharedStateBehaviourTests {
    // MARK: Rate limit and budget

    @Test(arguments: Family.allCases)
    func bucketAllowsTheBurstThenRefusesWithAWait(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let admission = fixture.admission(ratePerSecond: 1, burst: 5, dailyTokens: 0)
        #expect(admission.rateLimitBurst == 5 && !admission.hasBudget)
        var allowed = 0
        for index in 0..<8 {
            let decision = try #require(try await admission.admit("client-a", reserving: nil).get().rate)
            #expect(decision.limit == 5)
            if decision.allowed {
                allowed += 1
                #expect(decision.remaining == 4 - index)
            } else {
                #expect(decision.retryAfterMs > 0 && decision.retryAfterMs <= 1_000)
                #expect(decision.retryAfterSeconds == 1)
            }
        }
        #expect(allowed == 5)
        // Another client has its own bucket.
        #expect(try await admission.admit("client-b", reserving: nil).get().rate?.allowed == true)
    }

    @Test(arguments: Family.allCases)
    func budgetAdmitsWhileUseAndHoldsAreUnderItAndSettlesTheRest(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let budget = fixture.budget(dailyTokens: 1_000)
        let first = try await budget.reserve("key", tokens: 600).get()
        #expect(first.decision.allowed && first.decision.remaining == 1_000)
        let second = try await budget.reserve("key", tokens: 600).get()
        #expect(second.decision.allowed && second.decision.remaining == 400, "400 left after the first hold")
        let third = try await budget.reserve("key", tokens: 10).get()
        #expect(!third.decision.allowed && third.reservation == nil, "1,200 held: nothing left")
        #expect(third.decision.retryAfterSeconds >= 1 && third.decision.retryAfterSeconds <= 86_400)
        // The first call used 100: 500 go back. The second never ran: its hold goes when it is dropped.
        first.reservation?.settle(usedTokens: 100)
        _ = consume second
        // Redis: the settlements are in flight; a reservation of nothing shows when they have landed.
        #expect(try await waitUntil { try await budget.reserve("key", tokens: 0).get().decision.remaining == 900 })
        let fourth = try await budget.reserve("key", tokens: 10).get()
        #expect(fourth.decision.allowed && fourth.decision.remaining == 900, "100 used, nothing held")
        fourth.reservation?.settle(usedTokens: 900)
        #expect(try await waitUntil { try await !budget.reserve("key", tokens: 0).get().decision.allowed })
        #expect(try await budget.reserve("key", tokens: 1).get().decision.allowed == false, "1,000 used")
    }

    @Test(arguments: Family.allCases)
    func concurrentReservationsCannotOvershootTheBudget(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let budget = fixture.budget(dailyTokens: 420)
        // 60 concurrent calls, each reserving its max_tokens (50) and then using all of it. No call settles
        // before all 60 were decided, so every decision sees the others' holds.
        let admitted = Locked(0), decided = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    let result = await budget.reserve("shared", tokens: 50)
                    decided.withLock { $0 += 1 }
                    guard case .success(let admission) = result, admission.decision.allowed else { return }
                    admitted.withLock { $0 += 1 }
                    _ = await waitUntil { decided.withLock { $0 } == 60 }
                    admission.reservation?.settle(usedTokens: 50)
                }
            }
        }
        let spent = admitted.withLock { $0 } * 50
        #expect(spent >= 420 && spent <= 420 + 50, "spent \(spent) of 420: at most one call's worth over")
    }

    @Test(arguments: Family.allCases)
    func rateRefusalReservesNothing(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let admission = fixture.admission(ratePerSecond: 0.001, burst: 1, dailyTokens: 100)
        let first = try await admission.admit("key", reserving: 80).get()
        #expect(first.rate?.allowed == true && first.budget?.decision.allowed == true)
        let refused = try await admission.admit("key", reserving: 80).get()
        #expect(refused.rate?.allowed == false && refused.budget == nil)
        first.budget?.reservation?.settle(usedTokens: 0)
    }

    // MARK: Cache

    @Test(arguments: Family.allCases)
    func cacheMissesOnceThenHitsAndNeverStoresFailures(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let cache = fixture.cache(ttlMs: 60_000)
        let calls = Locked(0)
        let answer = ChatCompletion(text: "cached", usage: ChatUsage(inputTokens: 3, outputTokens: 4))
        let compute: (@escaping @Sendable (Result<ChatCompletion, ProviderError>) -> Void) -> Void = { finish in
            calls.withLock { $0 += 1 }
            finish(.success(answer))
        }
        let (first, firstOutcome) = await cache.fetch("k", compute: compute)
        #expect(try first.get() == answer && firstOutcome == .miss)
        #expect(try await fixture.waitUntilCached("k"))
        let (second, secondOutcome) = await cache.fetch("k", compute: compute)
        #expect(try second.get() == answer && secondOutcome == .hit)
        #expect(calls.withLock { $0 } == 1)

        let failure = ProviderError(provider: "mock", kind: .status(500), message: "boom")
        let failing: (@escaping @Sendable (Result<ChatCompletion, ProviderError>) -> Void) -> Void = { finish in
            calls.withLock { $0 += 1 }
            finish(.failure(failure))
        }
        #expect(await cache.fetch("bad", compute: failing).0 == .failure(failure))
        #expect(await cache.fetch("bad", compute: failing).1 == .miss, "a failure is not stored: the next fetch computes")
        #expect(calls.withLock { $0 } == 3)
    }

    @Test(arguments: Family.allCases)
    func identicalConcurrentMissesMakeOneCall(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let cache = fixture.cache(ttlMs: 60_000)
        let calls = Locked(0)
        let outcomes = Locked<[CacheOutcome]>([])
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<9 {
                group.addTask {
                    let (result, outcome) = await cache.fetch("same") { finish in
                        calls.withLock { $0 += 1 }
                        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) {
                            finish(.success(ChatCompletion(text: "one")))
                        }
                    }
                    #expect((try? result.get().text) == "one")
                    outcomes.withLock { $0.append(outcome) }
                }
            }
        }
        #expect(calls.withLock { $0 } == 1)
        #expect(outcomes.withLock { $0.filter { $0 == .miss }.count } == 1)
    }

    // MARK: Conversations

    @Test(arguments: Family.allCases)
    func conversationsKeepTurnsInOrderAndPruneTheOldest(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let store = fixture.conversations(maxHistoryTokens: 30)
        let id = store.makeID()
        #expect(id.hasPrefix("conv_") && id.count == 29)
        #expect(try await store.history(id).get() == nil, "unknown until a turn completes")
        for turn in 1...3 { _ = await store.append(id, user: "question \(turn)", assistant: "answer \(turn)") }
        let history = try #require(try await store.history(id).get())
        // Each turn is estimated at 13 tokens (7 + 6): 30 keep the last two.
        #expect(history.map(\.content.text) == ["question 2", "answer 2", "question 3", "answer 3"])
        _ = await store.append(id, user: String(repeating: "long ", count: 100), assistant: "ok")
        let pruned = try #require(try await store.history(id).get())
        #expect(pruned.count == 2, "the newest turn stays even when it alone passes the budget")
    }

    @Test(arguments: Family.allCases)
    func concurrentTurnsOfOneConversationBothLand(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let store = fixture.conversations(maxHistoryTokens: 100_000)
        let id = store.makeID()
        await withTaskGroup(of: Void.self) { group in
            for turn in 0..<20 { group.addTask { _ = await store.append(id, user: "u\(turn)", assistant: "a\(turn)") } }
        }
        let history = try #require(try await store.history(id).get())
        #expect(history.count == 40)
        let users = Set(history.filter { $0.role == .user }.map(\.content.text))
        #expect(users == Set((0..<20).map { "u\($0)" }))
        for index in stride(from: 0, to: 40, by: 2) {
            #expect(history[index + 1].content.text == "a" + history[index].content.text.dropFirst(), "turns stay whole")
        }
    }

    @Test(arguments: Family.allCases)
    func conversationsExpireAfterTheirTTL(_ family: Family) async throws {
        let fixture = try await FamilyFixture(family)
        let store = fixture.conversations(ttlMs: 200, maxHistoryTokens: 1_000)
        let id = store.makeID()
        _ = await store.append(id, user: "hi", assistant: "hello")
        #expect(try await store.history(id).get()?.count == 2)
        #expect(try await fixture.waitUntilExpired(id, in: store))
        #expect(try await store.history(id).get() == nil)
    }
}

/// What only the Redis family has to do: single flight across replicas survives a leader that died.
@Suite(.serialized) struct RedisCacheTakeoverTests {
    @Test func aWaiterTakesOverWhenTheLeadersLockLapses() async throws {
        let fixture = try await FamilyFixture(.redis)
        let server = try #require(fixture.server)
        // Another replica took the lock and died: nobody renews it.
        let names = fixture.keys.cache("question")
        // Read before the SET: the lock lapses 300 ms after Redis ran it, so no sooner than 300 ms after this.
        let started = ContinuousClock.now
        #expect(try server.command(["SET", names.lock, "a-dead-replica", "PX", "300"]) == "OK")
        let cache = fixture.cache(ttlMs: 60_000)
        let calls = Locked(0)
        let (result, outcome) = await cache.fetch("question") { finish in
            calls.withLock { $0 += 1 }
            finish(.success(ChatCompletion(text: "taken over")))
        }
        #expect((try? result.get().text) == "taken over")
        #expect(outcome == .miss && calls.withLock { $0 } == 1)
        #expect(ContinuousClock.now - started >= .milliseconds(300), "waited for the dead leader's lock to lapse")
        #expect(ContinuousClock.now - started < .seconds(3))
    }
}
