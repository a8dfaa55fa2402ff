import Testing
import Resilience

@Suite struct TokenBucketTests {
    @Test func startsFullAndSpendsOneTokenPerTake() {
        var bucket = TokenBucket(burst: 3, nowMs: 0)
        #expect(bucket.tokens == 3)
        var outcomes: [Bool] = []
        for _ in 0..<4 { outcomes.append(bucket.take(nowMs: 0, ratePerSecond: 1, burst: 3)) }
        #expect(outcomes == [true, true, true, false])
        #expect(bucket.tokens == 0)
    }

    @Test func refillsLazilyFromElapsedTime() {
        var bucket = TokenBucket(tokens: 0, lastRefillMs: 1_000)
        #expect(bucket.tokensAvailable(nowMs: 1_250, ratePerSecond: 10, burst: 20) == 2.5)
        bucket.refill(nowMs: 1_250, ratePerSecond: 10, burst: 20)
        #expect(bucket.tokens == 2.5)
        #expect(bucket.lastRefillMs == 1_250)
        #expect(bucket.wholeTokens == 2)
    }

    @Test func refillIsCappedAtBurst() {
        var bucket = TokenBucket(tokens: 0, lastRefillMs: 0)
        bucket.refill(nowMs: 3_600_000, ratePerSecond: 10, burst: 20)
        #expect(bucket.tokens == 20)
        #expect(bucket.isFull(nowMs: 3_600_000, ratePerSecond: 10, burst: 20))
    }

    @Test func anOlderReadingNeitherRefillsNorMovesTheStampBack() {
        var bucket = TokenBucket(tokens: 1, lastRefillMs: 500)
        bucket.refill(nowMs: 400, ratePerSecond: 10, burst: 20)
        #expect(bucket.tokens == 1)
        #expect(bucket.lastRefillMs == 500)
    }

    @Test func waitUntilOneTokenAtWholeAndFractionalRates() {
        let empty = TokenBucket(tokens: 0, lastRefillMs: 0)
        #expect(empty.waitMsForOneToken(ratePerSecond: 10) == 100)
        #expect(empty.waitMsForOneToken(ratePerSecond: 0.5) == 2_000)
        #expect(empty.waitMsForOneToken(ratePerSecond: 3) == 334)
        let almost = TokenBucket(tokens: 0.75, lastRefillMs: 0)
        #expect(almost.waitMsForOneToken(ratePerSecond: 10) == 25)
        let ready = TokenBucket(tokens: 1, lastRefillMs: 0)
        #expect(ready.waitMsForOneToken(ratePerSecond: 10) == 0)
    }

    @Test func fractionalRateAccumulatesPartialTokens() {
        var bucket = TokenBucket(tokens: 0, lastRefillMs: 0)
        let early = bucket.take(nowMs: 1_000, ratePerSecond: 0.5, burst: 1)
        #expect(!early)
        #expect(bucket.tokens == 0.5)
        #expect(bucket.waitMsForOneToken(ratePerSecond: 0.5) == 1_000)
        let onTime = bucket.take(nowMs: 2_000, ratePerSecond: 0.5, burst: 1)
        #expect(onTime)
        #expect(bucket.tokens == 0)
    }

    /// 0.01 summed 99 times is not exactly 0.99 in binary; the wait and the take must not be off by rounding.
    @Test func manySmallRefillsAddUpToAWholeTokenOnTime() {
        var bucket = TokenBucket(tokens: 0, lastRefillMs: 0)
        for millisecond in 1...99 { bucket.refill(nowMs: Int64(millisecond), ratePerSecond: 10, burst: 20) }
        #expect(bucket.wholeTokens == 0)
        #expect(bucket.waitMsForOneToken(ratePerSecond: 10) == 1)
        let onTime = bucket.take(nowMs: 100, ratePerSecond: 10, burst: 20)
        #expect(onTime)
        #expect(bucket.wholeTokens == 0)
    }

    @Test func aTinyRateReportsAWaitOfAtMostADay() {
        let empty = TokenBucket(tokens: 0, lastRefillMs: 0)
        #expect(empty.waitMsForOneToken(ratePerSecond: 1e-12) == 86_400_000)
    }
}
