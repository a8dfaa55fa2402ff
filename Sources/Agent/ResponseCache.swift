import Locks
import Resilience

/// Answers of identical non-streamed requests, kept for `ttlMs`, with one upstream call per key at a time.
///
/// docs/api.md, Response cache: AGENTD_CACHE_TTL_S (0 = off), AGENTD_CACHE_MAX_ENTRIES (10000); only for
/// non-stream requests with temperature 0 or unset; Cache-Control: no-cache skips it; concurrent identical
/// misses make one upstream call. Which requests may use the cache is the caller's decision: it calls
/// `fetch` only for those, and builds the key from the canonical JSON of model, messages and parameters.
/// Keys are compared by their exact UTF-8 bytes and stored whole (`ResponseCacheKey`), so no hash is
/// trusted for correctness; keys of a few KB are fine.
///
/// Callback based, like the server: nothing here blocks or awaits. `fetch` for a key:
/// - with a fresh entry: `completion(.hit)` at once, on the caller's thread;
/// - with a computation in flight: joins it; its completion runs with the leader's result, `.joined`, on the
///   thread that calls `finish`;
/// - otherwise: this caller leads; `compute` runs at once, on the caller's thread, and must call `finish`
///   exactly once, from any thread. A success is stored for `ttlMs` from then; the leader gets `.miss`,
///   the waiters `.joined`. A failure is not stored: the leader and every waiter get it, and the next fetch
///   tries again (a failure is about one moment of the upstream, not about the request).
/// A second call of the same `finish` is ignored: the first result has been delivered. A `compute` that
/// never calls `finish` leaves its waiters waiting; the upstream client's own timeouts prevent that.
///
/// Owner: one `Locked` state (the table of stored answers and the flights in progress), taken briefly by
/// `fetch` and by `finish`. `compute` and completions always run outside the lock, so they may call back
/// into the cache. Memory: at most `maxEntries` stored answers (`ResponseCacheTable`: LRU, O(1)).
/// With `ttlMs` 0 the cache is off: every fetch computes, stores nothing and joins no one (`.bypassed`).
public final class ResponseCache<Value: Sendable, Failure: Error>: Sendable {
    public typealias Finish = @Sendable (Result<Value, Failure>) -> Void
    public typealias Completion = @Sendable (Result<Value, Failure>, CacheOutcome) -> Void

    /// How long an answer is served, from when its computation finished; 0 turns the cache off.
    public let ttlMs: Int64
    public let maxEntries: Int

    private let clock: any TimeSource
    private let state: Locked<State>

    /// One computation in progress: who waits for it. `id` tells a late second `finish` from the
    /// `finish` of a newer flight of the same key.
    private struct Flight {
        let id: UInt64
        var waiters: [Completion]
    }

    private struct State {
        var table: ResponseCacheTable<Value>
        var flights: [ResponseCacheKey: Flight] = [:]
        var lastFlightID: UInt64 = 0
    }

    private enum Step {
        case hit(Value)
        case joined
        case lead(flightID: UInt64)
    }

    public init(ttlMs: Int64, maxEntries: Int, clock: any TimeSource = SystemClock()) {
        precondition(ttlMs >= 0, "ttlMs must be 0 (cache off) or more")
        self.ttlMs = ttlMs
        self.maxEntries = maxEntries
        self.clock = clock
        state = Locked(State(table: ResponseCacheTable(maxEntries: maxEntries)))
    }

    /// Whether answers are stored at all (`ttlMs` > 0).
    public var isEnabled: Bool { ttlMs > 0 }

    /// Stored answers, expired ones not yet dropped included; never more than `maxEntries`.
    public var count: Int { state.withLock { $0.table.count } }

    /// Computations in progress.
    public var flightCount: Int { state.withLock { $0.flights.count } }

    /// The answer for `key`: stored, joined, or computed by `compute`; see the type's comment for who runs where.
    public func fetch(
        _ key: String,
        compute: @escaping (_ finish: @escaping Finish) -> Void,
        completion: @escaping Completion
    ) {
        guard isEnabled else {
            compute { result in completion(result, .bypassed) }
            return
        }
        let exactKey = ResponseCacheKey(key)
        let nowMs = clock.nowMs
        let step = state.withLock { state -> Step in
            if let value = state.table.value(for: exactKey, nowMs: nowMs) { return .hit(value) }
            if let index = state.flights.index(forKey: exactKey) {
                state.flights.values[index].waiters.append(completion)
                return .joined
            }
            state.lastFlightID &+= 1
            state.flights[exactKey] = Flight(id: state.lastFlightID, waiters: [])
            return .lead(flightID: state.lastFlightID)
        }
        switch step {
        case .hit(let value):
            completion(.success(value), .hit)
        case .joined:
            return
        case .lead(let flightID):
            compute { [self] result in
                land(result, for: exactKey, flightID: flightID, leader: completion)
            }
        }
    }

    /// Ends a flight: stores a success, then hands the result to the leader and every waiter, outside the lock.
    private func land(_ result: Result<Value, Failure>, for key: ResponseCacheKey, flightID: UInt64, leader: Completion) {
        let expiresAtMs = clock.nowMs + ttlMs
        let waiters = state.withLock { state -> [Completion]? in
            guard let flight = state.flights[key], flight.id == flightID else { return nil }
            state.flights[key] = nil
            if case .success(let value) = result {
                state.table.store(value, for: key, expiresAtMs: expiresAtMs)
            }
            return flight.waiters
        }
        // nil: this flight already landed, and this is a second call of its `finish`.
        guard let waiters else { return }
        leader(result, .miss)
        for waiter in waiters { waiter(result, .joined) }
    }

    /// The stored keys from the most to the least recently used, for tests.
    var keysByRecency: [String] { state.withLock { $0.table.keysByRecency } }
}
