/// The system's random numbers (`SystemRandomNumberGenerator`) in a value with storage.
///
/// `SystemRandomNumberGenerator` has no stored properties; passed `inout` to a generic function, the access
/// ThreadSanitizer instruments points at no real memory and the sanitized build crashes (seen in
/// `RetryPolicy.decide` under `-sanitize=thread`). A generator with one stored byte is an ordinary address.
public struct SystemRandom: RandomNumberGenerator {
    private var unused: UInt8 = 0

    public init() {}

    public mutating func next() -> UInt64 {
        var system = SystemRandomNumberGenerator()
        return system.next()
    }
}
