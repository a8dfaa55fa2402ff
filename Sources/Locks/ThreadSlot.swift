import Glibc
import Synchronization

/// A small number per thread, handed out round robin on the thread's first ask and then kept: for spreading
/// per-thread counters and buffers over slots so that two cores do not write the same cache line.
/// A pthread key holds it (no Foundation thread dictionary on the hot path).
public enum ThreadSlot {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed with \(status)")
        return key
    }()
    private static let next = Atomic<Int>(0)

    /// The calling thread's slot number (0, 1, 2… in the order threads first asked).
    public static var current: Int {
        if let stored = pthread_getspecific(key) { return Int(bitPattern: stored) - 1 }
        let slot = next.wrappingAdd(1, ordering: .relaxed).oldValue
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: slot + 1))
        return slot
    }
}
