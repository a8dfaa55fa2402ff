/// A span's place in a trace (W3C Trace Context): the 128-bit trace id, the span's 64-bit id and whether the trace
/// is sampled. A plain value; `traceparent` is its header form.
public struct TraceContext: Sendable, Hashable {
    public var traceHigh: UInt64
    public var traceLow: UInt64
    public var spanID: UInt64
    public var sampled: Bool

    public init(traceHigh: UInt64, traceLow: UInt64, spanID: UInt64, sampled: Bool) {
        self.traceHigh = traceHigh
        self.traceLow = traceLow
        self.spanID = spanID
        self.sampled = sampled
    }

    /// 32 lower-case hex digits.
    public var traceID: String { Hex.digits(traceHigh, 16) + Hex.digits(traceLow, 16) }
    /// 16 lower-case hex digits.
    public var spanIDText: String { Hex.digits(spanID, 16) }

    /// The trace id's 32 hex digits, straight into `bytes` (a log line, a span) without a string.
    public func appendTraceID(to bytes: inout [UInt8]) {
        Hex.append(traceHigh, to: &bytes)
        Hex.append(traceLow, to: &bytes)
    }

    /// The span id's 16 hex digits, straight into `bytes`.
    public func appendSpanID(to bytes: inout [UInt8]) { Hex.append(spanID, to: &bytes) }

    /// `00-<trace id>-<span id>-<flags>`, written straight into the string's own storage.
    public var traceparent: String {
        String(unsafeUninitializedCapacity: 55) { buffer in
            var index = 0
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            func putHex(_ value: UInt64) {
                Hex.write(value, to: buffer.baseAddress! + index)
                index += 16
            }
            put(0x30)
            put(0x30)
            put(0x2D)
            putHex(traceHigh)
            putHex(traceLow)
            put(0x2D)
            putHex(spanID)
            put(0x2D)
            put(0x30)
            put(sampled ? 0x31 : 0x30)
            return index
        }
    }

    /// A `traceparent` header's context (W3C Trace Context §3.2): version 00 exactly 55 characters; a later
    /// version at least that, its first four fields read the same way (§3.2.4); never version ff, an all-zero
    /// trace or parent id, or upper-case hex. nil for anything else, which starts a new trace.
    public static func parse(_ header: String) -> TraceContext? {
        if let parsed = header.utf8.withContiguousStorageIfAvailable(parse) { return parsed }
        return Array(header.utf8).withUnsafeBufferPointer(parse)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> TraceContext? {
        func hex(_ range: Range<Int>) -> UInt64? { Hex.value(UnsafeBufferPointer(rebasing: bytes[range])) }
        guard bytes.count >= 55, bytes[2] == 0x2D, bytes[35] == 0x2D, bytes[52] == 0x2D,
            let version = hex(0..<2), version != 0xFF,
            let high = hex(3..<19), let low = hex(19..<35),
            let span = hex(36..<52), let flags = hex(53..<55),
            high != 0 || low != 0, span != 0
        else { return nil }
        if version == 0 && bytes.count != 55 { return nil }
        if version != 0 && bytes.count > 55 && bytes[55] != 0x2D { return nil }
        return TraceContext(traceHigh: high, traceLow: low, spanID: span, sampled: flags & 1 == 1)
    }
}

/// Lower-case hex, both ways.
enum Hex {
    static func digits(_ value: UInt64, _ count: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        append(value, to: &out)
        return String(decoding: out.suffix(count), as: UTF8.self)
    }

    /// 16 lower-case hex digits straight into bytes.
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { digits in
            write(value, to: digits.baseAddress!)
            bytes.append(contentsOf: digits)
        }
    }

    /// 16 lower-case hex digits at `destination` (which has room for them).
    static func write(_ value: UInt64, to destination: UnsafeMutablePointer<UInt8>) {
        for index in 0..<16 { destination[index] = digit(UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF) }
    }

    /// The lower-case hex digit of a nibble (0…15).
    static func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// The value of up to 16 lower-case hex digits; nil for any other byte.
    static func value(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes {
            switch byte {
            case 0x30...0x39: value = value << 4 | UInt64(byte - 0x30)
            case 0x61...0x66: value = value << 4 | UInt64(byte - 0x61 + 10)
            default: return nil
            }
        }
        return value
    }
}
