/// One Redis reply as the parser returns it, or a value for the encoder to write: RESP2 and RESP3 types.
///
/// A value owns its bytes (bulk strings are `[UInt8]`, never decoded unless a caller asks for `string`), so it
/// outlives the buffer it was parsed from and is `Sendable`. RESP3 attributes (`|`) have no case: the parser
/// skips them and returns the value they annotate. RESP2's two null forms (`$-1`, `*-1`) and RESP3's `_` are
/// all `.null`, since no caller needs to tell them apart.
/// Spec: https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md
public enum RESPValue: Sendable {
    /// `+OK\r\n`: a line that cannot hold CR or LF. Decoded as UTF-8, invalid bytes replaced.
    case simpleString(String)
    /// `-ERR x\r\n`, or RESP3's blob error `!<len>\r\n…\r\n`. Decoded as UTF-8, invalid bytes replaced.
    case error(String)
    /// `:<n>\r\n`, within Int64.
    case integer(Int64)
    /// `$<len>\r\n…\r\n`: binary-safe.
    case bulkString([UInt8])
    /// RESP2 `$-1\r\n` and `*-1\r\n`, RESP3 `_\r\n`.
    case null
    /// `*<n>\r\n` then n values.
    case array([RESPValue])
    /// RESP3 `,<number>\r\n`, including `inf`, `-inf` and `nan`.
    case double(Double)
    /// RESP3 `#t\r\n` or `#f\r\n`.
    case boolean(Bool)
    /// RESP3 `(<digits>\r\n`: an integer of any size, kept as its decimal text.
    case bigNumber(String)
    /// RESP3 `=<len>\r\nfmt:…\r\n`: `format` is the three bytes before the colon (`txt`, `mkd`).
    case verbatim(format: String, text: [UInt8])
    /// RESP3 `%<n>\r\n` then n key/value pairs, in wire order (keys may repeat; no lookup is implied).
    case map([RESPPair])
    /// RESP3 `~<n>\r\n` then n values, in wire order.
    case set([RESPValue])
    /// RESP3 `><n>\r\n` then n values: out-of-band data (pub/sub messages, invalidations), not a reply.
    case push([RESPValue])
}

/// One entry of a RESP3 map, in wire order.
public struct RESPPair: Sendable, Equatable {
    public let key: RESPValue
    public let value: RESPValue

    public init(key: RESPValue, value: RESPValue) {
        self.key = key
        self.value = value
    }
}

/// Structural equality, except that `.double(.nan)` equals `.double(.nan)`: a parsed `,nan\r\n` must equal
/// itself (round-trip tests and the fuzzer compare parsed values), which IEEE equality would deny.
/// `0.0` and `-0.0` are equal, as IEEE has it.
extension RESPValue: Equatable {
    public static func == (left: RESPValue, right: RESPValue) -> Bool {
        // A switch on `left` alone, so a new case fails to compile here until it is compared (a switch over
        // the pair is too large for the compiler's exhaustiveness check).
        switch left {
        case .simpleString(let a): if case .simpleString(let b) = right { return a == b }
        case .error(let a): if case .error(let b) = right { return a == b }
        case .integer(let a): if case .integer(let b) = right { return a == b }
        case .bulkString(let a): if case .bulkString(let b) = right { return a == b }
        case .null: if case .null = right { return true }
        case .array(let a): if case .array(let b) = right { return a == b }
        case .double(let a): if case .double(let b) = right { return a == b || (a.isNaN && b.isNaN) }
        case .boolean(let a): if case .boolean(let b) = right { return a == b }
        case .bigNumber(let a): if case .bigNumber(let b) = right { return a == b }
        case .verbatim(let formatA, let textA):
            if case .verbatim(let formatB, let textB) = right { return formatA == formatB && textA == textB }
        case .map(let a): if case .map(let b) = right { return a == b }
        case .set(let a): if case .set(let b) = right { return a == b }
        case .push(let a): if case .push(let b) = right { return a == b }
        }
        return false
    }
}

// MARK: - Accessors

/// What callers of commands read from a reply. Each answers nil for a value of another type rather than
/// converting (a bulk string of digits is not an integer here): a reply of the wrong type is a bug or a
/// server-side error to surface, not something to coerce.
extension RESPValue {
    /// The value of `.integer`.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The bytes of a bulk string, simple string or verbatim string (its text, without the format).
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text): return Array(text.utf8)
        case .verbatim(_, let text): return text
        default: return nil
        }
    }

    /// The same values as `bytes`, decoded as UTF-8; invalid sequences become U+FFFD rather than nil, since
    /// every string agentd stores is its own UTF-8.
    public var string: String? {
        switch self {
        case .simpleString(let text): return text
        case .bulkString(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .verbatim(_, let text): return String(decoding: text, as: UTF8.self)
        default: return nil
        }
    }

    /// The elements of an array, set or push.
    public var arrayValue: [RESPValue]? {
        switch self {
        case .array(let elements), .set(let elements), .push(let elements): return elements
        default: return nil
        }
    }

    /// The message of an error reply (simple or blob), e.g. "ERR unknown command".
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// True for every null form (`$-1`, `*-1`, `_`).
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
