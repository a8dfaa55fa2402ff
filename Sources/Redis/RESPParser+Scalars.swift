/// The parser's readers of scalar lines and of length-prefixed data (bulk strings, blob errors, verbatim
/// strings). Each checks the exact grammar of RESP3.md and allocates only the value it returns.
extension RESPParser {
    /// Reads a `$`, `!` or `=` value whose header line is `lineStart..<lineEnd`. The declared length is
    /// checked against the limits before any of the data is awaited.
    static func readBlob(
        _ type: RESPTypeByte, _ bytes: UnsafeRawBufferPointer, at index: inout Int, lineStart: Int, lineEnd: Int,
        limits: RESPParserLimits
    ) -> Step {
        let declared: Int64
        switch declaredLength(bytes, from: lineStart, to: lineEnd) {
        case .success(let length): declared = length
        case .failure(let error): return .failure(error)
        }
        if declared == -1 && type == .bulkString {
            // RESP2's null bulk string: no data and no second CRLF follow.
            index = lineEnd + 2
            return .value(.null)
        }
        guard declared >= 0 else { return .failure(.invalidLength) }
        guard declared <= limits.maxBulkBytes else { return .failure(.bulkTooLarge) }
        guard type != .verbatim || declared >= 4 else { return .failure(.invalidVerbatim) }

        let length = Int(declared)
        let dataStart = lineEnd + 2
        let available = bytes.count - dataStart
        guard available - length >= 2 else {
            // The data may be whole and its CR already here: a wrong byte there fails now, not later.
            if available > length && bytes[dataStart + length] != RESPByte.cr { return .failure(.missingTerminator) }
            return .needMore
        }
        let dataEnd = dataStart + length
        guard bytes[dataEnd] == RESPByte.cr && bytes[dataEnd + 1] == RESPByte.lf else { return .failure(.missingTerminator) }

        let value: RESPValue
        switch type {
        case .bulkString:
            value = .bulkString(copy(bytes, from: dataStart, to: dataEnd))
        case .blobError:
            value = .error(text(bytes, from: dataStart, to: dataEnd))
        default:
            // "=15\r\ntxt:Some string\r\n": three format bytes, a colon, the text.
            let formatEnd = dataStart + 3
            guard bytes[formatEnd] == RESPByte.colon,
                  RESPByte.isFormatByte(bytes[dataStart]), RESPByte.isFormatByte(bytes[dataStart + 1]),
                  RESPByte.isFormatByte(bytes[dataStart + 2])
            else { return .failure(.invalidVerbatim) }
            value = .verbatim(format: text(bytes, from: dataStart, to: formatEnd), text: copy(bytes, from: formatEnd + 1, to: dataEnd))
        }
        index = dataEnd + 2
        return .value(value)
    }

    /// The length or count on a header line: `-?[0-9]+` within Int64. Its sign and size are the caller's
    /// to judge, since `-1` means null for some types only.
    static func declaredLength(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Result<Int64, RESPParseError> {
        if end - start == 1 && bytes[start] == RESPByte.questionMark { return .failure(.unsupportedStreaming) }
        guard let length = integer(bytes, from: start, to: end) else { return .failure(.invalidLength) }
        return .success(length)
    }

    /// `-?[0-9]+` within Int64, nothing else: no `+`, no spaces, no empty string.
    static func integer(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int64? {
        var index = start
        let negative = index < end && bytes[index] == RESPByte.minus
        if negative { index += 1 }
        guard index < end else { return nil }
        // Accumulated as a negative number, whose range includes Int64.min.
        var value: Int64 = 0
        while index < end {
            let digit = bytes[index] &- RESPByte.zero
            guard digit < 10 else { return nil }
            let (shifted, shiftOverflow) = value.multipliedReportingOverflow(by: 10)
            let (next, addOverflow) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !shiftOverflow && !addOverflow else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// `t` or `f`.
    static func boolean(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Bool? {
        guard end - start == 1 else { return nil }
        switch bytes[start] {
        case RESPByte.lowercaseT: return true
        case RESPByte.lowercaseF: return false
        default: return nil
        }
    }

    private static let infinity: [UInt8] = Array("inf".utf8)
    private static let negativeInfinity: [UInt8] = Array("-inf".utf8)
    private static let notANumber: [UInt8] = Array("nan".utf8)

    /// `[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?`, `inf`, `-inf` or `nan` (RESP3.md, "Double"). The grammar is
    /// checked here because the standard library's conversion also takes hex floats and `infinity`.
    static func double(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Double? {
        let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        if line.elementsEqual(infinity) { return .infinity }
        if line.elementsEqual(negativeInfinity) { return -.infinity }
        if line.elementsEqual(notANumber) { return .nan }

        var index = start
        func skipDigits() -> Bool {
            let digitsStart = index
            while index < end && RESPByte.isDigit(bytes[index]) { index += 1 }
            return index > digitsStart
        }
        if index < end && (bytes[index] == RESPByte.plus || bytes[index] == RESPByte.minus) { index += 1 }
        guard skipDigits() else { return nil }
        if index < end && bytes[index] == RESPByte.dot {
            index += 1
            guard skipDigits() else { return nil }
        }
        if index < end && (bytes[index] == RESPByte.lowercaseE || bytes[index] == RESPByte.uppercaseE) {
            index += 1
            if index < end && (bytes[index] == RESPByte.plus || bytes[index] == RESPByte.minus) { index += 1 }
            guard skipDigits() else { return nil }
        }
        guard index == end else { return nil }
        // Short lines fit a small String, which does not allocate; the conversion rounds correctly.
        return Double(text(bytes, from: start, to: end))
    }

    /// `[+-]?[0-9]+` of any length (RESP3.md, "Big number").
    static func isBigNumber(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Bool {
        var index = start
        if index < end && (bytes[index] == RESPByte.plus || bytes[index] == RESPByte.minus) { index += 1 }
        guard index < end else { return false }
        while index < end {
            guard RESPByte.isDigit(bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    /// The bytes decoded as UTF-8, invalid sequences replaced (Redis error text and status words are ASCII).
    static func text(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The bytes copied into an array of exactly their size, with one memcpy.
    static func copy(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> [UInt8] {
        let source = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        return [UInt8](unsafeUninitializedCapacity: source.count) { destination, initialized in
            UnsafeMutableRawBufferPointer(destination).copyMemory(from: source)
            initialized = source.count
        }
    }
}
