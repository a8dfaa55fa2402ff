import Agent
import Dispatch
import LLM
import Locks
import Redis
import Resilience
import Synchronization

/// The Redis family's response cache: answers stored with their TTL (`CompletionCodec` bytes), and single
/// flight across replicas: the first caller anywhere takes a lock with a short lifetime (renewed while its
/// call runs) and computes; callers on other replicas poll until the answer is stored, or until the lock
/// lapses (its replica died) and one of them takes it over. Within one replica, identical misses share one
/// flight first, so a replica polls once per key, not once per waiting request.
///
/// Owner: `flights` (a lock) holds this replica's waiters per key; Redis owns the answers and locks. Failures
/// are never stored. When Redis cannot be reached the cache is a miss: the call is made, nothing is stored.
public final class RedisResponseCache: CompletionCaching {
    public typealias Finish = @Sendable (Result<ChatCompletion, ProviderError>) -> Void
    public typealias Completion = @Sendable (Result<ChatCompletion, ProviderError>, CacheOutcome) -> Void

    public let client: RedisClient
    public let keys: RedisKeys
    public let ttlMs: Int
    /// A leader's lock lives this long unless renewed (every third of it while the call runs): how long
    /// waiters wait for a leader that died.
    public let lockLifetimeMs: Int
    /// How often a waiter on another replica looks for the answer.
    public let pollIntervalMs: Int
    /// Past this, a waiter stops waiting for the leader and calls the upstream itself (the leader's own call
    /// deadline bounds the leader's work, so this is that deadline plus a margin).
    public let maxWaitMs: Int
    /// Waiters' polls and how long they have waited.
    public let clock: any TimeSource
    private let flights = Locked<[String: [Completion]]>([:])

    public init(
        client: RedisClient, keys: RedisKeys, ttlMs: Int, maxWaitMs: Int, lockLifetimeMs: Int = 5_000, pollIntervalMs: Int = 20,
        clock: any TimeSource = SystemClock()
    ) {
        precondition(lockLifetimeMs >= 300, "the lock must outlive a few renewals' round trips")
        self.client = client
        self.keys = keys
        self.ttlMs = ttlMs
        self.maxWaitMs = maxWaitMs
        self.lockLifetimeMs = lockLifetimeMs
        self.pollIntervalMs = pollIntervalMs
        self.clock = clock
    }

    public var isEnabled: Bool { ttlMs > 0 }

    public func fetch(_ key: String, compute: @escaping (_ finish: @escaping Finish) -> Void, completion: @escaping Completion) {
        let joined = flights.withLock { flights -> Bool in
            if flights[key] != nil {
                flights[key]!.append(completion)
                return true
            }
            flights[key] = [completion]
            return false
        }
        guard !joined else { return }
        attempt(key, ComputeBox(compute), startedMs: clock.nowMs, firstLook: true)
    }

    /// One look at Redis: the answer, the lock, or a wait.
    private func attempt(_ key: String, _ compute: ComputeBox, startedMs: Int64, firstLook: Bool) {
        let names = keys.cache(key)
        let token = UniqueToken.next()
        client.run(
            RedisScripts.cacheRead, keys: [names.answer, names.lock], arguments: [token, String(lockLifetimeMs)], operation: "cache_read"
        ) { [self] result in
            switch result {
            case .failure:
                // Redis unreachable: a miss, computed here and not stored.
                compute.run { result in self.deliver(key, result, leader: .miss) }
            case .success(let reply):
                let values = reply.arrayValue ?? []
                switch values.first?.integerValue {
                case 1:
                    if let bytes = values.count > 1 ? values[1].bytes : nil, let answer = CompletionCodec.decode(bytes) {
                        deliver(key, .success(answer), leader: firstLook ? .hit : .joined)
                    } else {
                        lead(key, compute, token: nil)   // an unreadable entry: computed again, overwritten
                    }
                case 2:
                    lead(key, compute, token: token)
                default:
                    let waitedMs = Int(clock.nowMs - startedMs)
                    guard waitedMs < maxWaitMs else {
                        compute.run { result in self.deliver(key, result, leader: .miss) }
                        return
                    }
                    clock.schedule(afterMs: pollIntervalMs, on: .global()) {
                        self.attempt(key, compute, startedMs: startedMs, firstLook: false)
                    }
                }
            }
        }
    }

    /// This replica computes the answer: it holds the lock (renewed while the call runs), stores a success
    /// with its TTL, and releases the lock on a failure.
    private func lead(_ key: String, _ compute: ComputeBox, token: String?) {
        let names = keys.cache(key)
        let renewal = token.map { token in
            LockRenewal(everyMs: lockLifetimeMs / 3) { [client, lockLifetimeMs] in
                client.run(RedisScripts.cacheLock, keys: [names.lock], arguments: [token, String(lockLifetimeMs)], operation: "cache_lock") { _ in }
            }
        }
        compute.run { [self] result in
            renewal?.cancel()
            switch result {
            case .success(let answer):
                client.run(
                    RedisScripts.cacheStore, keys: [names.answer, names.lock],
                    byteArguments: [CompletionCodec.encode(answer), Array(String(ttlMs).utf8), Array((token ?? "").utf8)],
                    operation: "cache_store"
                ) { _ in }
            case .failure:
                if let token {
                    client.run(RedisScripts.cacheLock, keys: [names.lock], arguments: [token, "0"], operation: "cache_lock") { _ in }
                }
            }
            deliver(key, result, leader: .miss)
        }
    }

    /// Hands the result to every caller of this replica that waited for `key`: the first gets `leader`, the
    /// others `.joined`.
    private func deliver(_ key: String, _ result: Result<ChatCompletion, ProviderError>, leader: CacheOutcome) {
        let waiters = flights.withLock { flights in flights.removeValue(forKey: key) ?? [] }
        for (index, waiter) in waiters.enumerated() { waiter(result, index == 0 ? leader : .joined) }
    }
}

/// The first caller's `compute`, run at most once (a second `finish` is ignored: the first result was
/// delivered). Owner: none; the flag is atomic.
private final class ComputeBox: @unchecked Sendable {
    private let compute: (_ finish: @escaping RedisResponseCache.Finish) -> Void
    private let started = Atomic<Bool>(false)

    init(_ compute: @escaping (_ finish: @escaping RedisResponseCache.Finish) -> Void) { self.compute = compute }

    func run(_ finish: @escaping RedisResponseCache.Finish) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let finished = Locked(false)
        let once: RedisResponseCache.Finish = { result in
            guard !finished.withLock({ finished in defer { finished = true }; return finished }) else { return }
            finish(result)
        }
        compute(once)
    }
}

/// Extends a lock every `everyMs` until cancelled. Owner: the timer (Dispatch serializes its handler and
/// makes `cancel` safe from any thread).
private final class LockRenewal: @unchecked Sendable {
    private let timer: DispatchSourceTimer

    init(everyMs: Int, renew: @escaping @Sendable () -> Void) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + .milliseconds(everyMs), repeating: .milliseconds(everyMs))
        timer.setEventHandler(handler: renew)
        timer.resume()
    }

    func cancel() { timer.cancel() }
}
