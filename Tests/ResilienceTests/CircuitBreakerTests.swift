import Dispatch
import Foundation
import Testing
import Resilience

/// The transitions a breaker reported, in order. Owner of `entries`: `lock` (an NSLock, which TSan sees).
final class TransitionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [CircuitBreaker.State] = []

    func record(from: CircuitBreaker.State, to: CircuitBreaker.State) {
        lock.lock()
        defer { lock.unlock() }
        if entries.isEmpty { entries.append(from) }
        precondition(entries.last == from, "transition reported out of order: \(entries.last!) then \(from)→\(to)")
        entries.append(to)
    }

    /// The states visited, starting with the one before the first transition.
    var states: [CircuitBreaker.State] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}

@Suite struct CircuitBreakerTests {
    let clock = ManualClock(startMs: 1_000_000)
    let log = TransitionLog()

    private func makeBreaker(_ configuration: CircuitBreaker.Configuration = .init()) -> CircuitBreaker {
        let log = self.log
        return CircuitBreaker(name: "test", configuration: configuration, clock: clock) { log.record(from: $0, to: $1) }
    }

    /// Makes one call with the given outcome; false when the breaker refused it.
    @discardableResult
    private func call(_ breaker: CircuitBreaker, _ outcome: CircuitBreaker.CallOutcome) -> Bool {
        guard let permit = breaker.acquire().permit else { return false }
        permit.record(outcome)
        return true
    }

    private func openBreaker() -> CircuitBreaker {
        let breaker = makeBreaker()
        for _ in 0..<10 { call(breaker, .failure) }
        #expect(breaker.state == .open)
        return breaker
    }

    @Test func defaultsAreTheContracts() {
        let configuration = CircuitBreaker.Configuration()
        #expect(configuration == CircuitBreaker.Configuration(
            failureRate: 0.5, window: 20, minimumCalls: 10, openMs: 30_000, halfOpenCalls: 3))
        #expect(CircuitBreaker.State.allCases.map(\.rawValue) == [0, 1, 2])
    }

    @Test func halfTheCallsFailingOpensIt() {
        let breaker = makeBreaker()
        for index in 0..<9 { #expect(call(breaker, index < 5 ? .failure : .success)) }
        #expect(breaker.state == .closed)
        #expect(call(breaker, .success))
        #expect(breaker.state == .open)
        #expect(log.states == [.closed, .open])
    }

    @Test func belowMinimumCallsItStaysClosed() {
        let breaker = makeBreaker()
        for _ in 0..<9 { call(breaker, .failure) }
        #expect(breaker.state == .closed)
        call(breaker, .failure)
        #expect(breaker.state == .open)
    }

    @Test func belowTheRateItStaysClosed() {
        let breaker = makeBreaker()
        // Two failures after three successes in every five calls: 40 % at most, at every point.
        for index in 0..<100 { call(breaker, index % 5 >= 3 ? .failure : .success) }
        #expect(breaker.state == .closed)
    }

    @Test func openRejectsWithTheRemainingCoolDown() {
        let breaker = openBreaker()
        guard case .rejected(let retryAfterMs) = breaker.acquire() else {
            Issue.record("an open breaker must reject"); return
        }
        #expect(retryAfterMs == 30_000)
        clock.advance(byMs: 12_345)
        guard case .rejected(let laterMs) = breaker.acquire() else {
            Issue.record("an open breaker must reject until its cool-down ends"); return
        }
        #expect(laterMs == 17_655)
        clock.advance(byMs: 17_654)
        #expect(breaker.acquire().permit == nil)
        #expect(breaker.state == .open)
    }

    @Test func afterTheCoolDownTheNextAcquireIsAProbe() throws {
        let breaker = openBreaker()
        clock.advance(byMs: 30_000)
        #expect(breaker.state == .open)
        let permit = try #require(breaker.acquire().permit)
        #expect(permit.isProbe)
        #expect(breaker.state == .halfOpen)
        permit.record(.success)
    }

    @Test func threeSuccessfulProbesCloseIt() {
        let breaker = openBreaker()
        clock.advance(byMs: 30_000)
        #expect(call(breaker, .success))
        #expect(call(breaker, .success))
        #expect(breaker.state == .halfOpen)
        #expect(call(breaker, .success))
        #expect(breaker.state == .closed)
        #expect(log.states == [.closed, .open, .halfOpen, .closed])
        // Closed again with an empty window: nine failures are below the minimum.
        for _ in 0..<9 { call(breaker, .failure) }
        #expect(breaker.state == .closed)
    }

    @Test func aFailedProbeReopensWithAFreshCoolDown() {
        let breaker = openBreaker()
        clock.advance(byMs: 40_000)
        #expect(call(breaker, .success))
        #expect(call(breaker, .failure))
        #expect(breaker.state == .open)
        guard case .rejected(let retryAfterMs) = breaker.acquire() else {
            Issue.record("a reopened breaker must reject"); return
        }
        #expect(retryAfterMs == 30_000)
        #expect(log.states == [.closed, .open, .halfOpen, .open])
    }

    @Test func aFourthConcurrentProbeIsRefused() throws {
        let breaker = openBreaker()
        clock.advance(byMs: 30_000)
        let probes = try (0..<3).map { _ in try #require(breaker.acquire().permit) }
        guard case .rejected(let retryAfterMs) = breaker.acquire() else {
            Issue.record("a fourth probe must be refused while three are in flight"); return
        }
        #expect(retryAfterMs == CircuitBreaker.busyProbesRetryAfterMs)
        probes[0].record(.success)
        // A settled success still holds its place among the three: no fourth probe.
        #expect(breaker.acquire().permit == nil)
        probes[1].record(.success)
        probes[2].record(.success)
        #expect(breaker.state == .closed)
    }

    @Test func anIgnoredProbeFreesItsSlot() throws {
        let breaker = openBreaker()
        clock.advance(byMs: 30_000)
        let probes = try (0..<3).map { _ in try #require(breaker.acquire().permit) }
        probes[0].record(.ignored)
        #expect(breaker.state == .halfOpen)
        #expect(call(breaker, .success))
        probes[1].record(.success)
        #expect(breaker.state == .halfOpen)
        probes[2].record(.success)
        #expect(breaker.state == .closed)
    }

    @Test func anUnsettledPermitCountsAsIgnored() {
        let breaker = openBreaker()
        clock.advance(byMs: 30_000)
        for _ in 0..<5 { _ = breaker.acquire() }
        #expect(breaker.state == .halfOpen)
        for _ in 0..<3 { #expect(call(breaker, .success)) }
        #expect(breaker.state == .closed)
    }

    @Test func ignoredOutcomesDoNotCount() {
        let breaker = makeBreaker()
        for _ in 0..<100 { call(breaker, .ignored) }
        for _ in 0..<9 { call(breaker, .failure) }
        #expect(breaker.state == .closed)
        for _ in 0..<100 { call(breaker, .ignored) }
        call(breaker, .failure)
        #expect(breaker.state == .open)
    }

    @Test func statusesMapToOutcomes() {
        #expect(CircuitBreaker.CallOutcome.forStatus(200) == .success)
        #expect(CircuitBreaker.CallOutcome.forStatus(408) == .failure)
        for status in [400, 401, 403, 404, 422, 429] {
            #expect(CircuitBreaker.CallOutcome.forStatus(status) == .ignored, "\(status)")
        }
        for status in [500, 502, 503, 504, 529] {
            #expect(CircuitBreaker.CallOutcome.forStatus(status) == .failure, "\(status)")
        }
    }

    @Test func oldFailuresSlideOutOfTheWindow() {
        let breaker = makeBreaker()
        for _ in 0..<11 { call(breaker, .success) }
        for _ in 0..<9 { call(breaker, .failure) }
        #expect(breaker.state == .closed)
        for _ in 0..<20 { call(breaker, .success) }
        // The nine failures have left the window of 20: nine new ones make 45 %, the tenth 50 %.
        for _ in 0..<9 { call(breaker, .failure) }
        #expect(breaker.state == .closed)
        call(breaker, .failure)
        #expect(breaker.state == .open)
    }

    @Test func outcomesOfPermitsFromBeforeATransitionDoNotCount() throws {
        let breaker = makeBreaker()
        let late = try #require(breaker.acquire().permit)
        for _ in 0..<10 { call(breaker, .failure) }
        clock.advance(byMs: 30_000)
        for _ in 0..<3 { call(breaker, .success) }
        #expect(breaker.state == .closed)
        // Issued while closed before the breaker opened: its failure belongs to another era.
        late.record(.failure)
        for _ in 0..<9 { call(breaker, .failure) }
        #expect(breaker.state == .closed)
    }

    @Test func settlingAPermitTwiceIsAProgrammingError() async {
        await #expect(processExitsWith: .failure) {
            let breaker = CircuitBreaker(name: "twice", clock: ManualClock())
            let permit = breaker.acquire().permit
            permit?.record(.success)
            permit?.record(.success)
        }
    }

    @Test func concurrentCallsKeepTheStateConsistent() {
        let breaker = makeBreaker(.init(failureRate: 0.5, window: 20, minimumCalls: 10, openMs: 50, halfOpenCalls: 3))
        let clock = self.clock
        let threads = 4
        let cyclesPerThread = 10_000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for cycle in 0..<cyclesPerThread {
                if thread == 0 && cycle % 10 == 0 { clock.advance(byMs: 10) }
                guard let permit = breaker.acquire().permit else { continue }
                switch (cycle &+ thread) % 4 {
                case 0, 1: permit.record(.failure)
                case 2: permit.record(.success)
                default: permit.record(.ignored)
                }
            }
        }
        let visited = log.states
        #expect(visited.count > 2, "the run should open and close the breaker")
        #expect(visited.last == breaker.state)
        // No probe slot leaked: after a cool-down, successes close the breaker within a few calls.
        clock.advance(byMs: 50)
        for _ in 0..<3 where breaker.state != .closed { call(breaker, .success) }
        #expect(breaker.state == .closed)
    }
}
