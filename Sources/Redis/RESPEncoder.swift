/// Writes RESP: commands as clients send them, and any `RESPValue` in its wire form.
///
/// Pure functions that append to a caller's buffer, so a connection can reuse one buffer for a pipeline of
/// commands. No `String` is built for lengths, and capacity is left to the array's geometric growth: an
/// exact `reserveCapacity` per command would reallocate on every append to a growing pipeline.
/// Spec: https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md
public enum RESPEncoder {
    /// Appends one command as a RESP array of bulk strings (what clients send), e.g. ["SET", "k", "v"].
    public static func appendCommand(_ arguments: [String], to buffer: inout [UInt8]) {
        appendHeader(.array, Int64(arguments.count), to: &buffer)
        for argument in arguments {
            appendHeader(.bulkString, Int64(argument.utf8.count), to: &buffer)
            buffer.append(contentsOf: argument.utf8)
            appendLineEnd(to: &buffer)
        }
    }

    /// Appends one command as a RESP array of bulk strings (what clients send), e.g. ["SET", "k", "v"].
    public static func appendCommand(_ arguments: [[UInt8]], to buffer: inout [UInt8]) {
        appendHeader(.array, Int64(arguments.count), to: &buffer)
        for argument in arguments {
            appendBulk(argument, to: &buffer)
        }
    }

    /// Appends the header of a command of `count` arguments; each argument then follows with `appendArgument`.
    /// For callers that build a command from parts without collecting them in an array first.
    public static func appendCommandHeader(count: Int, to buffer: inout [UInt8]) {
        appendHeader(.array, Int64(count), to: &buffer)
    }

    /// Appends one argument (a bulk string) of a command begun with `appendCommandHeader`.
    public static func appendArgument(_ text: String, to buffer: inout [UInt8]) {
        appendHeader(.bulkString, Int64(text.utf8.count), to: &buffer)
        buffer.append(contentsOf: text.utf8)
        appendLineEnd(to: &buffer)
    }

    /// Appends one binary-safe argument of a command begun with `appendCommandHeader`.
    public static func appendArgument(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        appendBulk(bytes, to: &buffer)
    }

    /// The wire form of `value`; see `append(_:to:)`.
    public static func encode(_ value: RESPValue) -> [UInt8] {
        var buffer: [UInt8] = []
        append(value, to: &buffer)
        return buffer
    }

    /// Appends the wire form of `value`, so that `RESPParser.parse` reads back an equal value.
    ///
    /// Where RESP has two forms, the one that round-trips is chosen: `.null` is RESP3's `_`; an error whose
    /// message holds CR or LF is a blob error (`!`), any other a simple error (`-`). A simple string with CR
    /// or LF, a big number that is not `[+-]?[0-9]+`, or a verbatim format that is not three printable ASCII
    /// bytes has no wire form: that is a programmer error, stopped by a precondition. Recurses once per level
    /// of nesting.
    public static func append(_ value: RESPValue, to buffer: inout [UInt8]) {
        switch value {
        case .simpleString(let text):
            precondition(!containsLineBreak(text), "a RESP simple string cannot hold CR or LF: send it as .bulkString")
            appendLine(.simpleString, text, to: &buffer)
        case .error(let message):
            if containsLineBreak(message) {
                appendHeader(.blobError, Int64(message.utf8.count), to: &buffer)
                buffer.append(contentsOf: message.utf8)
                appendLineEnd(to: &buffer)
            } else {
                appendLine(.simpleError, message, to: &buffer)
            }
        case .integer(let integer):
            appendHeader(.integer, integer, to: &buffer)
        case .bulkString(let bytes):
            appendBulk(bytes, to: &buffer)
        case .null:
            buffer.append(RESPTypeByte.null.rawValue)
            appendLineEnd(to: &buffer)
        case .array(let elements):
            appendAggregate(.array, elements, to: &buffer)
        case .double(let double):
            appendLine(.double, doubleText(double), to: &buffer)
        case .boolean(let boolean):
            buffer.append(RESPTypeByte.boolean.rawValue)
            buffer.append(boolean ? RESPByte.lowercaseT : RESPByte.lowercaseF)
            appendLineEnd(to: &buffer)
        case .bigNumber(let digits):
            precondition(isBigNumber(digits), "a RESP big number is [+-]?[0-9]+, not \(digits.debugDescription)")
            appendLine(.bigNumber, digits, to: &buffer)
        case .verbatim(let format, let text):
            precondition(
                format.utf8.count == 3 && format.utf8.allSatisfy(RESPByte.isFormatByte),
                "a RESP verbatim format is three printable ASCII bytes such as \"txt\", not \(format.debugDescription)"
            )
            appendHeader(.verbatim, Int64(text.count + 4), to: &buffer)
            buffer.append(contentsOf: format.utf8)
            buffer.append(RESPByte.colon)
            buffer.append(contentsOf: text)
            appendLineEnd(to: &buffer)
        case .map(let pairs):
            appendHeader(.map, Int64(pairs.count), to: &buffer)
            for pair in pairs {
                append(pair.key, to: &buffer)
                append(pair.value, to: &buffer)
            }
        case .set(let elements):
            appendAggregate(.set, elements, to: &buffer)
        case .push(let elements):
            appendAggregate(.push, elements, to: &buffer)
        }
    }

    // MARK: - Pieces

    private static func appendAggregate(_ type: RESPTypeByte, _ elements: [RESPValue], to buffer: inout [UInt8]) {
        appendHeader(type, Int64(elements.count), to: &buffer)
        for element in elements { append(element, to: &buffer) }
    }

    private static func appendBulk(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        appendHeader(.bulkString, Int64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
        appendLineEnd(to: &buffer)
    }

    private static func appendLine(_ type: RESPTypeByte, _ text: String, to buffer: inout [UInt8]) {
        buffer.append(type.rawValue)
        buffer.append(contentsOf: text.utf8)
        appendLineEnd(to: &buffer)
    }

    /// A type byte, a decimal number and CRLF: every length and count header, and integers.
    private static func appendHeader(_ type: RESPTypeByte, _ number: Int64, to buffer: inout [UInt8]) {
        // Written back to front into a stack buffer and appended at once: no String for the digits, one
        // capacity check instead of one per byte. Type, sign, 19 digits (Int64.min's magnitude) and CRLF fit.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: headerCapacity) { scratch in
            var position = headerCapacity
            position -= 1
            scratch[position] = RESPByte.lf
            position -= 1
            scratch[position] = RESPByte.cr
            var magnitude = number.magnitude
            repeat {
                position -= 1
                scratch[position] = RESPByte.zero + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                position -= 1
                scratch[position] = RESPByte.minus
            }
            position -= 1
            scratch[position] = type.rawValue
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[position..<headerCapacity]))
        }
    }

    private static let headerCapacity = 24

    private static func appendLineEnd(to buffer: inout [UInt8]) {
        buffer.append(RESPByte.cr)
        buffer.append(RESPByte.lf)
    }

    /// The parser's big-number grammar, `[+-]?[0-9]+`.
    private static func isBigNumber(_ text: String) -> Bool {
        var digits = Substring(text).utf8
        if let sign = digits.first, sign == RESPByte.plus || sign == RESPByte.minus { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy(RESPByte.isDigit)
    }

    private static func containsLineBreak(_ text: String) -> Bool {
        text.utf8.contains { $0 == RESPByte.cr || $0 == RESPByte.lf }
    }

    /// RESP3's spelling of a double: `inf`, `-inf`, `nan`, or Swift's shortest text that reads back to the
    /// same value ("1.5", "1e-05", "1e+20"), which the parser's grammar accepts.
    private static func doubleText(_ double: Double) -> String {
        if double.isNaN { return "nan" }
        if double.isInfinite { return double < 0 ? "-inf" : "inf" }
        return double.description
    }
}
