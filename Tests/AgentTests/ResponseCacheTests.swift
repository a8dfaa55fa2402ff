@testable import Agent
import Dispatch
import Locks
import Resilience
import Testing

/// The response cache: hits, expiry, single flight, failures that are not stored, and the LRU bound.
@Suite struct ResponseCacheTests {
    struct UpstreamError: Error, Equatable {
        let code: Int
    }

    typealias Cache = ResponseCache<String, UpstreamError>

    /// What the completions saw, in order.
    final class Recorder: Sendable {
        let calls = Locked<[(Result<String, UpstreamError>, CacheOutcome)]>([])

        var completion: Cache.Completion { { result, outcome in self.calls.withLock { $0.append((result, outcome)) } } }
        var outcomes: [CacheOutcome] { calls.withLock { $0.map(\.1) } }
        var values: [String?] { calls.withLock { $0.map { try? $0.0.get() } } }
        var failures: [UpstreamError?] {
            calls.withLock { $0.map { if case .failure(let error) = $0.0 { return error } else { return nil } } }
        }
    }

    /// Fetches `key`, answering `value` synchronously when this caller leads; returns the outcome.
    @discardableResult
    private func fetch(_ cache: Cache, _ key: String, answer value: String, computed: Locked<Int>? = nil) -> CacheOutcome? {
        let recorder = Recorder()
        cache.fetch(key, compute: { finish in
            computed?.withLock { $0 += 1 }
            finish(.success(value))
        }, completion: recorder.completion)
        return recorder.outcomes.first
    }

    @Test func hitAfterMiss() {
        let cache = Cache(ttlMs: 10_000, maxEntries: 10, clock: ManualClock())
        let computed = Locked<Int>(0)
        let first = Recorder()
        cache.fetch("k", compute: { finish in
            computed.withLock { $0 += 1 }
            finish(.success("answer"))
        }, completion: first.completion)
        let second = Recorder()
        cache.fetch("k", compute: { _ in
            computed.withLock { $0 += 1 }
            Issue.record("a fresh entry must not be computed again")
        }, completion: second.completion)
        #expect(first.outcomes == [.miss])
        #expect(first.values == ["answer"])
        #expect(second.outcomes == [.hit])
        #expect(second.values == ["answer"])
        #expect(computed.withLock { $0 } == 1)
        #expect(cache.count == 1)
        #expect(CacheOutcome.joined.metricResult == "hit")
        #expect(CacheOutcome.miss.metricResult == "miss")
    }

    @Test func entryExpiresAfterTtl() {
        let clock = ManualClock()
        let cache = Cache(ttlMs: 5_000, maxEntries: 10, clock: clock)
        #expect(fetch(cache, "k", answer: "old") == .miss)
        clock.advance(byMs: 4_999)
        #expect(fetch(cache, "k", answer: "new") == .hit)
        clock.advance(byMs: 1)
        let recorder = Recorder()
        cache.fetch("k", compute: { finish in finish(.success("new")) }, completion: recorder.completion)
        #expect(recorder.outcomes == [.miss])
        #expect(recorder.values == ["new"])
        #expect(fetch(cache, "k", answer: "newer") == .hit)
        #expect(cache.count == 1)
    }

    @Test func failuresAreNotStored() {
        let cache = Cache(ttlMs: 10_000, maxEntries: 10, clock: ManualClock())
        let failed = Recorder()
        cache.fetch("k", compute: { finish in finish(.failure(UpstreamError(code: 503))) }, completion: failed.completion)
        #expect(failed.outcomes == [.miss])
        #expect(failed.failures == [UpstreamError(code: 503)])
        #expect(cache.count == 0)
        #expect(cache.flightCount == 0)
        #expect(fetch(cache, "k", answer: "recovered") == .miss)
        #expect(fetch(cache, "k", answer: "other") == .hit)
    }

    @Test func differentKeysAreIndependent() {
        let cache = Cache(ttlMs: 10_000, maxEntries: 10, clock: ManualClock())
        #expect(fetch(cache, "a", answer: "A") == .miss)
        let recorder = Recorder()
        cache.fetch("b", compute: { finish in finish(.success("B")) }, completion: recorder.completion)
        #expect(recorder.outcomes == [.miss])
        #expect(recorder.values == ["B"])
        // Canonically equivalent but different bytes: a different request.
        #expect(fetch(cache, "caf\u{E9}", answer: "1") == .miss)
        #expect(fetch(cache, "cafe\u{301}", answer: "2") == .miss)
        #expect(cache.count == 4)
    }

    @Test func concurrentIdenticalMissesMakeOneCall() throws {
        let callers = 50
        let cache = Cache(ttlMs: 10_000, maxEntries: 10, clock: ManualClock())
        let computed = Locked<Int>(0)
        let pendingFinish = Locked<Cache.Finish?>(nil)
        let recorder = Recorder()
        DispatchQueue.concurrentPerform(iterations: callers) { _ in
            cache.fetch("same", compute: { finish in
                computed.withLock { $0 += 1 }
                pendingFinish.withLock { $0 = finish }
            }, completion: recorder.completion)
        }
        #expect(computed.withLock { $0 } == 1)
        #expect(recorder.outcomes.isEmpty, "waiters are answered when finish runs, not before")
        let finish = try #require(pendingFinish.withLock { $0 })
        finish(.success("shared"))
        finish(.success("ignored"))
        #expect(recorder.values == Array(repeating: "shared", count: callers))
        let outcomes = recorder.outcomes
        #expect(outcomes.filter { $0 == .miss }.count == 1)
        #expect(outcomes.filter { $0 == .joined }.count == callers - 1)
        #expect(outcomes.first == .miss, "the leader is answered first")
        #expect(fetch(cache, "same", answer: "again") == .hit)
        #expect(cache.flightCount == 0)
    }

    @Test func waitersAllReceiveAFailure() throws {
        let cache = Cache(ttlMs: 10_000, maxEntries: 10, clock: ManualClock())
        let pendingFinish = Locked<Cache.Finish?>(nil)
        let recorder = Recorder()
        for _ in 0..<5 {
            cache.fetch("k", compute: { finish in pendingFinish.withLock { $0 = finish } }, completion: recorder.completion)
        }
        let finish = try #require(pendingFinish.withLock { $0 })
        finish(.failure(UpstreamError(code: 429)))
        #expect(recorder.failures == Array(repeating: UpstreamError(code: 429), count: 5))
        #expect(recorder.outcomes == [.miss, .joined, .joined, .joined, .joined])
        #expect(cache.count == 0)
        #expect(fetch(cache, "k", answer: "fresh") == .miss)
    }

    @Test func leastRecentlyUsedIsEvicted() {
        let cache = Cache(ttlMs: 10_000, maxEntries: 3, clock: ManualClock())
        fetch(cache, "a", answer: "A")
        fetch(cache, "b", answer: "B")
        fetch(cache, "c", answer: "C")
        // Touching "a" saves it: "b" is now the least recently used.
        #expect(fetch(cache, "a", answer: "-") == .hit)
        #expect(fetch(cache, "d", answer: "D") == .miss)
        #expect(cache.count == 3)
        #expect(cache.keysByRecency == ["d", "a", "c"])
        #expect(fetch(cache, "b", answer: "B") == .miss)
        #expect(cache.keysByRecency == ["b", "d", "a"])
        #expect(fetch(cache, "a", answer: "-") == .hit)
        #expect(fetch(cache, "c", answer: "C") == .miss)
        #expect(cache.keysByRecency == ["c", "a", "b"])
    }

    @Test func expiredEntryIsDroppedOnAccess() {
        let clock = ManualClock()
        let cache = Cache(ttlMs: 1_000, maxEntries: 3, clock: clock)
        fetch(cache, "a", answer: "A")
        fetch(cache, "b", answer: "B")
        clock.advance(byMs: 1_000)
        let recorder = Recorder()
        cache.fetch("a", compute: { _ in }, completion: recorder.completion)
        // The expired entry left; the new flight (never finished here) stores nothing yet.
        #expect(cache.keysByRecency == ["b"])
        #expect(cache.flightCount == 1)
        #expect(recorder.outcomes.isEmpty)
    }

    @Test func zeroTtlBypasses() {
        let cache = Cache(ttlMs: 0, maxEntries: 3, clock: ManualClock())
        let computed = Locked<Int>(0)
        #expect(fetch(cache, "k", answer: "A", computed: computed) == .bypassed)
        #expect(fetch(cache, "k", answer: "A", computed: computed) == .bypassed)
        #expect(computed.withLock { $0 } == 2)
        #expect(cache.count == 0)
        #expect(CacheOutcome.bypassed.metricResult == nil)
    }
}
