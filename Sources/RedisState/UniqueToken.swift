import Synchronization

/// Tokens unique across every replica (a lock's owner): 64 random bits drawn once per process, then a counter,
/// so no system call per token. Owner: none; the counter is atomic.
enum UniqueToken {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 36) + "."
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String { prefix + String(counter.add(1, ordering: .relaxed).newValue, radix: 36) }
}
