/// Ids of the objects the inbound APIs answer with: a prefix (`msg_`, `resp_`, `fc_`) and 24 lower-case hex
/// digits (96 bits from the system's random source).
enum RandomID {
    static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt32, radix: 16)
        return prefix + String(repeating: "0", count: 16 - high.utf8.count) + high + String(repeating: "0", count: 8 - low.utf8.count) + low
    }
}
