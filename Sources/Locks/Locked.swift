import Glibc

/// A value behind a pthread mutex: every read and write of it happens inside `withLock`.
///
/// Why not `Synchronization.Mutex`: on Linux it is built on futexes inside the standard library, which
/// ThreadSanitizer does not instrument, so TSan cannot see the ordering it provides and reports races that
/// do not exist whenever it is contended. pthread mutexes are intercepted by TSan: with this lock, a race
/// report means a race.
///
/// The mutex and the value share one allocation, and the mutex must not move. By default the allocation is
/// whole cache lines, aligned to a line: locks made one after another (the shards of a limiter, the series of
/// a family) and taken by two cores would otherwise share a line and bounce it between the cores on every
/// operation (false sharing). A lock that lives as long as one request, of which thousands exist at once, is
/// made `compact`: the value's own size and alignment, without the padding and the aligned allocation's waste.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    private static var cacheLineBytes: Int { 64 }
    /// Where the value starts in the block: after the mutex, at the value's alignment.
    private static var valueOffset: Int {
        let end = MemoryLayout<pthread_mutex_t>.stride
        let alignment = MemoryLayout<Value>.alignment
        return (end + alignment - 1) / alignment * alignment
    }
    private static func blockBytes(compact: Bool) -> Int {
        let end = valueOffset + MemoryLayout<Value>.stride
        guard !compact else { return end }
        return (end + cacheLineBytes - 1) / cacheLineBytes * cacheLineBytes
    }

    /// `compact`: for a short-lived lock of one request (see the type's doc).
    public init(_ value: Value, compact: Bool = false) {
        let alignment = max(compact ? MemoryLayout<pthread_mutex_t>.alignment : Locked.cacheLineBytes, MemoryLayout<Value>.alignment)
        let block = UnsafeMutableRawPointer.allocate(byteCount: Locked.blockBytes(compact: compact), alignment: alignment)
        mutex = block.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed with \(status)")
        self.value = (block + Locked.valueOffset).bindMemory(to: Value.self, capacity: 1)
        self.value.initialize(to: value)
    }

    deinit {
        value.deinitialize(count: 1)
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        UnsafeMutableRawPointer(mutex).deallocate()
    }

    /// Runs `body` with the value, holding the lock. `body` must not call `withLock` on the same lock.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
