extension JSONParser {
    /// Reads the number at `position` (RFC 8259 §6): `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    ///
    /// Digits are gathered into a 64-bit significand in the same pass that checks the grammar. Integers that
    /// fit an Int come straight from it. Doubles do too when Clinger's fast path is exact (a significand of
    /// at most 2^53 and a power of ten of at most 10^22, both exact in a Double, so one rounding); anything
    /// else goes to the standard library's correctly rounded conversion of the text.
    mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }

        var significand: UInt64 = 0
        var significantDigits = 0
        // Set when digits did not fit the significand: the value is then not exact here.
        var truncated = false
        // The power of ten the significand is to be multiplied by.
        var decimalExponent = 0
        var isInteger = true

        guard position < bytes.count, let first = Self.digit(bytes[position]) else {
            throw failure("expected a digit after '-'")
        }
        position += 1
        if first == 0 {
            if position < bytes.count, Self.digit(bytes[position]) != nil {
                throw failure("leading zeros are not allowed in numbers")
            }
        } else {
            significand = first
            significantDigits = 1
            while position < bytes.count, let digit = Self.digit(bytes[position]) {
                if significantDigits < 19 {
                    significand = significand &* 10 &+ digit
                    significantDigits += 1
                } else {
                    truncated = true
                    decimalExponent += 1
                }
                position += 1
            }
        }

        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, Self.digit(bytes[position]) != nil else {
                throw failure("expected a digit after '.'")
            }
            while position < bytes.count, let digit = Self.digit(bytes[position]) {
                if significantDigits < 19 {
                    significand = significand &* 10 &+ digit
                    // Zeros before the first non-zero digit cost no precision.
                    if significand != 0 { significantDigits += 1 }
                    decimalExponent -= 1
                } else if digit != 0 {
                    truncated = true
                }
                position += 1
            }
        }

        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            var exponentNegative = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                exponentNegative = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < bytes.count, Self.digit(bytes[position]) != nil else {
                throw failure("expected a digit in the exponent")
            }
            var exponent = 0
            while position < bytes.count, let digit = Self.digit(bytes[position]) {
                // Saturate: past a million the value is zero or infinite either way, and the text says which.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(digit) }
                position += 1
            }
            decimalExponent += exponentNegative ? -exponent : exponent
        }

        if !truncated {
            if isInteger {
                if negative {
                    if significand == 0 { return .double(-0.0) }
                    if significand <= UInt64(Int.max) + 1 { return .integer(Int(truncatingIfNeeded: 0 &- significand)) }
                } else if significand <= UInt64(Int.max) {
                    return .integer(Int(significand))
                }
            }
            if significand == 0 { return .double(negative ? -0.0 : 0.0) }
            if significand <= 1 << 53, (-22...22).contains(decimalExponent) {
                var value = Double(significand)
                value = decimalExponent < 0
                    ? value / Self.exactPowersOfTen[-decimalExponent]
                    : value * Self.exactPowersOfTen[decimalExponent]
                return .double(negative ? -value : value)
            }
        }
        return .double(try convertSlowly(from: start))
    }

    /// The number text from `start` to `position`, converted with correct rounding by the standard library.
    func convertSlowly(from start: Int) throws(JSONError) -> Double {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw failure("number out of range for a double", at: start)
        }
        return value
    }

    @inline(__always)
    static func digit(_ byte: UInt8) -> UInt64? {
        let value = byte &- UInt8(ascii: "0")
        return value < 10 ? UInt64(value) : nil
    }

    /// 10^0 … 10^22: the powers of ten a Double holds exactly.
    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
