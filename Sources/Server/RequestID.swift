/// Request ids: the client's when sane, else 32 hex digits from a fast generator.
///
/// Owner: each event loop has its own generator, so making an id takes no lock and no system call.
struct RequestIDGenerator {
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    /// SplitMix64: fast, and enough to make ids unique; they are not secrets.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func make() -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        let high = next(), low = next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<16 {
                buffer[index] = digits[Int((high >> (60 - UInt64(index) * 4)) & 0xF)]
                buffer[16 + index] = digits[Int((low >> (60 - UInt64(index) * 4)) & 0xF)]
            }
            return 32
        }
    }

    /// docs/api.md, Request ids: a client id is kept when it is 1...128 visible ASCII characters.
    static func isAcceptable(_ id: String) -> Bool {
        let bytes = id.utf8
        return !bytes.isEmpty && bytes.count <= 128 && bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }
}
