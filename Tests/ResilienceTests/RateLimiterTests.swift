import Dispatch
import Synchronization
import Testing
import Resilience

@Suite struct RateLimiterTests {
    @Test func burstIsAllowedThenTheNextIsRefusedUntilATokenRefills() {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 10, burst: 20, clock: clock)
        var remaining: [Int] = []
        for _ in 0..<20 {
            let decision = limiter.acquire("client")
            #expect(decision.allowed)
            #expect(decision.limit == 20)
            #expect(decision.retryAfterMs == 0)
            remaining.append(decision.remaining)
        }
        #expect(remaining == Array((0...19).reversed()))

        let refused = limiter.acquire("client")
        #expect(refused == RateDecision(allowed: false, limit: 20, remaining: 0, retryAfterMs: 100))
        #expect(refused.retryAfterSeconds == 1)

        clock.advance(byMs: 99)
        #expect(limiter.acquire("client") == RateDecision(allowed: false, limit: 20, remaining: 0, retryAfterMs: 1))
        clock.advance(byMs: 1)
        #expect(limiter.acquire("client") == RateDecision(allowed: true, limit: 20, remaining: 0, retryAfterMs: 0))
        #expect(!limiter.acquire("client").allowed)
    }

    @Test func fractionalRateWaitsTwoSecondsPerToken() {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 0.5, burst: 1, clock: clock)
        #expect(limiter.acquire("slow").allowed)
        let refused = limiter.acquire("slow")
        #expect(!refused.allowed)
        #expect(refused.retryAfterMs == 2_000)
        #expect(refused.retryAfterSeconds == 2)
        clock.advance(byMs: 2_000)
        #expect(limiter.acquire("slow").allowed)
    }

    @Test func retryAfterSecondsRoundsUpAndIsAtLeastOne() {
        func seconds(_ milliseconds: Int) -> Int {
            RateDecision(allowed: false, limit: 1, remaining: 0, retryAfterMs: milliseconds).retryAfterSeconds
        }
        #expect(seconds(0) == 1)
        #expect(seconds(1) == 1)
        #expect(seconds(1_000) == 1)
        #expect(seconds(1_001) == 2)
        #expect(seconds(2_000) == 2)
    }

    @Test func keysAreIndependent() {
        let limiter = RateLimiter(ratePerSecond: 1, burst: 2, clock: ManualClock())
        #expect(limiter.acquire("a").allowed)
        #expect(limiter.acquire("a").allowed)
        #expect(!limiter.acquire("a").allowed)
        #expect(limiter.acquire("b") == RateDecision(allowed: true, limit: 2, remaining: 1, retryAfterMs: 0))
        #expect(limiter.trackedKeys == 2)
    }

    @Test func aRateOfZeroAllowsEverythingAndKeepsNoState() {
        let limiter = RateLimiter(ratePerSecond: 0, burst: 5, clock: ManualClock())
        #expect(!limiter.isEnabled)
        for _ in 0..<100 {
            #expect(limiter.acquire("anyone") == RateDecision(allowed: true, limit: 5, remaining: 5, retryAfterMs: 0))
        }
        #expect(limiter.trackedKeys == 0)
    }

    @Test func aMillionDistinctKeysStayWithinTheBound() {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 10, burst: 20, clock: clock, shardCount: 16, maxKeysPerShard: 1_000)
        for index in 0..<1_000_000 {
            // Every 1,000 keys 100 ms pass: the one token each bucket spent is back, so older buckets are full.
            if index % 1_000 == 0 { clock.advance(byMs: 100) }
            #expect(limiter.acquire("client-\(index)").allowed)
        }
        let perShard = limiter.trackedKeysPerShard
        #expect(perShard.count == 16)
        #expect(perShard.allSatisfy { $0 <= 1_000 })
        #expect(limiter.trackedKeys <= 16 * 1_000)
    }

    @Test func withAFrozenClockTheOldestTouchedAreEvictedToStayWithinTheBound() {
        let limiter = RateLimiter(ratePerSecond: 10, burst: 20, clock: ManualClock(), shardCount: 4, maxKeysPerShard: 100)
        for index in 0..<20_000 {
            _ = limiter.acquire("client-\(index)")
            #expect(limiter.trackedKeysPerShard.allSatisfy { $0 <= 100 })
        }
    }

    @Test func fullBucketsAreDroppedBeforeAnyRecentOne() {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 10, burst: 20, clock: clock, shardCount: 1, maxKeysPerShard: 10)
        for index in 0..<10 { _ = limiter.acquire("idle-\(index)") }
        clock.advance(byMs: 100)  // the idle buckets are full again
        _ = limiter.acquire("hot")
        #expect(limiter.trackedKeys == 1)
    }

    /// The behaviour chosen: a client that keeps sending is touched by every request, refused ones included,
    /// so the least-recently-touched eviction reaches it only when three quarters of its shard's capacity in
    /// other keys arrive between two of its requests.
    @Test func aLimitedClientThatKeepsSendingStaysLimitedWhileOtherKeysChurn() {
        let limiter = RateLimiter(ratePerSecond: 10, burst: 20, clock: ManualClock(), shardCount: 1, maxKeysPerShard: 100)
        for _ in 0..<20 { _ = limiter.acquire("hot") }
        var newKey = 0
        for _ in 0..<1_000 {
            for _ in 0..<50 {
                _ = limiter.acquire("churn-\(newKey)")
                newKey += 1
            }
            #expect(!limiter.acquire("hot").allowed)
            #expect(limiter.trackedKeys <= 100)
        }
    }

    /// The other side of the behaviour chosen: a limited client that stays quiet while its shard fills up
    /// with other keys is forgotten, and starts again with a full bucket, as each of those keys did.
    @Test func aQuietLimitedClientIsForgottenAfterEnoughOtherKeys() {
        let limiter = RateLimiter(ratePerSecond: 10, burst: 20, clock: ManualClock(), shardCount: 1, maxKeysPerShard: 100)
        for _ in 0..<20 { _ = limiter.acquire("quiet") }
        #expect(!limiter.acquire("quiet").allowed)
        for index in 0..<100 { _ = limiter.acquire("other-\(index)") }
        #expect(limiter.acquire("quiet") == RateDecision(allowed: true, limit: 20, remaining: 19, retryAfterMs: 0))
    }

    @Test func concurrentAcquiresOnOneKeyAllowExactlyTheBurst() {
        let limiter = RateLimiter(ratePerSecond: 10, burst: 20, clock: ManualClock())
        let allowed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var allowedHere = 0
            for _ in 0..<25_000 where limiter.acquire("shared").allowed {
                allowedHere += 1
            }
            allowed.add(allowedHere, ordering: .relaxed)
        }
        #expect(allowed.load(ordering: .relaxed) == 20)
    }
}
