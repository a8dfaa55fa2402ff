import Synchronization

/// A fixed number of `UInt64` counts, each an atomic that any thread may increment without a lock.
///
/// Owner: the counts live in one allocation made at init and freed at deinit; the pointer itself never
/// changes, and every access to an element goes through its atomic, which is what makes the unchecked
/// `Sendable` sound. Noncopyable so that exactly one value owns (and frees) the allocation.
struct AtomicCountArray: ~Copyable, @unchecked Sendable {
    private let base: UnsafeMutablePointer<Atomic<UInt64>>
    let count: Int

    init(count: Int) {
        precondition(count >= 0, "AtomicCountArray needs a non-negative count, got \(count)")
        self.count = count
        base = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: count)
        for index in 0..<count {
            (base + index).initialize(to: Atomic(0))
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Adds one to the count at `index`.
    func increment(at index: Int) {
        precondition(index >= 0 && index < count, "index \(index) is outside 0..<\(count)")
        base[index].wrappingAdd(1, ordering: .relaxed)
    }

    /// The count at `index`.
    func load(at index: Int) -> UInt64 {
        precondition(index >= 0 && index < count, "index \(index) is outside 0..<\(count)")
        return base[index].load(ordering: .relaxed)
    }
}
