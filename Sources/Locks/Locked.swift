import Glibc

/// A value behind a pthread mutex: every read and write of it happens inside `withLock`.
///
/// Why not `Synchronization.Mutex`: on Linux it is built on futexes inside the standard library, which
/// ThreadSanitizer does not instrument, so TSan cannot see the ordering it provides and reports races that
/// do not exist whenever it is contended. pthread mutexes are intercepted by TSan: with this lock, a race
/// report means a race. The mutex lives in its own allocation because a pthread mutex must not move.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed with \(status)")
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock. `body` must not call `withLock` on the same lock.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
