extension JSONParser {
    /// Reads the string whose opening quote is at `position` and leaves `position` after its closing quote.
    ///
    /// The scan stops only at '"', '\\' and control bytes; UTF-8 is checked once, by the standard library's
    /// validating initializer, over the whole string. Only when that fails is the string read again, by
    /// `locateInvalidUTF8`, to say where and why. A string without escapes becomes a `String` straight from
    /// its byte range (or is one of `JSONCommonStrings`, ready-made); one with escapes is decoded run by run into
    /// `scratch`.
    mutating func parseString() throws(JSONError) -> String {
        let opening = position
        position += 1
        var runStart = position
        var hasEscapes = false
        // The OR of every raw byte. Below 0x80 the raw bytes are ASCII, and what escapes add is well-formed
        // by construction, so there is nothing to validate.
        var allBits: UInt8 = 0
        while true {
            while position < bytes.count {
                let byte = bytes[position]
                guard byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
                allBits |= byte
                position += 1
            }
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<position])
                position += 1
                if hasEscapes { scratch.append(contentsOf: run) }
                if allBits < 0x80 {
                    if hasEscapes { return String(decoding: scratch, as: UTF8.self) }
                    return JSONCommonStrings.match(run) ?? String(decoding: run, as: UTF8.self)
                }
                let string = hasEscapes ? String(validating: scratch, as: UTF8.self) : String(validating: run, as: UTF8.self)
                guard let string else { throw locateInvalidUTF8(from: opening + 1) }
                return string
            } else if byte == UInt8(ascii: "\\") {
                if !hasEscapes {
                    scratch.removeAll(keepingCapacity: true)
                    hasEscapes = true
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                try decodeEscape()
                runStart = position
            } else {
                throw failure("unescaped control character \(JSONError.describe(byte)) in string")
            }
        }
    }

    /// Where the string whose opening quote is at `opening` closes, when it is plain: ASCII, with no escape and
    /// no control byte, so its bytes are its text and need no further check. nil for any other string (or an
    /// unterminated one), which `parseString` reads, with its checks and errors. Does not move `position`.
    func plainStringEnd(openingAt opening: Int) -> Int? {
        var end = opening + 1
        var allBits: UInt8 = 0
        while end < bytes.count {
            let byte = bytes[end]
            guard byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
            allBits |= byte
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\""), allBits < 0x80 else { return nil }
        return end
    }

    /// Decodes the escape whose backslash is at `position` onto `scratch` (RFC 8259 §7).
    mutating func decodeEscape() throws(JSONError) {
        let backslash = position
        guard position + 1 < bytes.count else { throw failure("unterminated string", at: bytes.count) }
        let letter = bytes[position + 1]
        position += 2
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(letter)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHexQuad(escapeAt: backslash)
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate means nothing alone: the low half must follow as the very next escape.
                let lowEscape = position
                guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw failure("high surrogate \\u\(Self.hex4(unit)) not followed by a \\u low surrogate", at: backslash)
                }
                position += 2
                let low = try readHexQuad(escapeAt: lowEscape)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw failure(
                        "high surrogate \\u\(Self.hex4(unit)) followed by \\u\(Self.hex4(low)), not a low surrogate",
                        at: lowEscape)
                }
                appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            case 0xDC00...0xDFFF:
                throw failure("lone low surrogate \\u\(Self.hex4(unit))", at: backslash)
            default:
                appendUTF8(unit)
            }
        default:
            throw failure("invalid escape '\\' followed by \(JSONError.describe(letter))", at: backslash)
        }
    }

    /// Reads the four hex digits after `\u` at `position`.
    mutating func readHexQuad(escapeAt backslash: Int) throws(JSONError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw failure("invalid \\u escape: expected 4 hex digits", at: backslash) }
        var value: UInt32 = 0
        for offset in position..<position + 4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape: expected 4 hex digits", at: backslash)
            }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }

    /// Appends a Unicode scalar (never a surrogate: the caller has paired those) as UTF-8.
    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(0xC0 | UInt8(scalar >> 6))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(0xE0 | UInt8(scalar >> 12))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(scalar >> 18))
            scratch.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    /// The error for the first ill-formed UTF-8 in the string whose contents start at `start`.
    ///
    /// Called only once the standard library has refused the string, so speed does not matter here; the
    /// raw runs between escapes are what can be ill-formed (an escape always decodes to whole sequences, so
    /// it neither hides nor causes an error in the bytes around it). Well-formed means Unicode's Table 3-7:
    /// no overlong forms, no encoded surrogates, nothing above U+10FFFF, no missing continuation bytes.
    func locateInvalidUTF8(from start: Int) -> JSONError {
        var offset = start
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") {
            let lead = bytes[offset]
            if lead == UInt8(ascii: "\\") {
                // Whatever the escape was, it decoded; only its first two bytes could be a quote or backslash.
                offset += 2
                continue
            }
            if lead < 0x80 {
                offset += 1
                continue
            }
            let length: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xBF
            var secondProblem = ""
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, secondRange, secondProblem) = (3, 0xA0...0xBF, "overlong encoding")
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, secondRange, secondProblem) = (3, 0x80...0x9F, "encoded surrogate")
            case 0xF0: (length, secondRange, secondProblem) = (4, 0x90...0xBF, "overlong encoding")
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, secondRange, secondProblem) = (4, 0x80...0x8F, "code point above U+10FFFF")
            case 0x80...0xBF: return failure("invalid UTF-8: unexpected continuation \(JSONError.describe(lead))", at: offset)
            case 0xC0, 0xC1: return failure("invalid UTF-8: overlong encoding", at: offset)
            default: return failure("invalid UTF-8: \(JSONError.describe(lead)) cannot start a sequence", at: offset)
            }
            for continuation in offset + 1..<offset + length {
                guard continuation < bytes.count, bytes[continuation] & 0xC0 == 0x80 else {
                    return failure("invalid UTF-8: truncated sequence", at: offset)
                }
            }
            guard secondRange.contains(bytes[offset + 1]) else { return failure("invalid UTF-8: \(secondProblem)", at: offset) }
            offset += length
        }
        // Unreachable while the standard library and Table 3-7 agree; say so rather than trap.
        return failure("invalid UTF-8", at: start)
    }

    /// Four upper-case hex digits, as a surrogate appears in a message.
    static func hex4(_ unit: UInt32) -> String {
        String(JSONError.hex(unit, digits: 4).dropFirst(2))
    }
}
