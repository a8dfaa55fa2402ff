/// Why bytes from a Redis server are not a reply. Every case is a protocol error: the connection's framing
/// is lost, so its owner must close it rather than read on (hiredis makes these errors sticky for the same
/// reason). Each case names one way the bytes can be wrong, so the log says which.
/// Spec: https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md
public enum RESPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The first byte of a value is not one of `+ - : $ * _ , # ( ! = % ~ > |`.
    case unknownType(UInt8)
    /// A `:` line is not `-?[0-9]+` or does not fit in Int64.
    case invalidInteger
    /// A length or count line is not `-?[0-9]+`, does not fit in Int64, or is negative (other than the RESP2
    /// null `-1` of `$` and `*`).
    case invalidLength
    /// A length of `?`: RESP3 streamed strings and aggregates, which Redis never sends and we do not read.
    case unsupportedStreaming
    /// The two bytes after a bulk string, blob error or verbatim string's data are not CRLF.
    case missingTerminator
    /// A CR inside a line is not followed by LF: only CRLF ends a line.
    case bareCarriageReturn
    /// An LF inside a line without the CR before it: only CRLF ends a line.
    case bareLineFeed
    /// A line runs past `RESPParserLimits.maxLineBytes` without its CRLF.
    case lineTooLong
    /// A declared bulk, blob error or verbatim length exceeds `RESPParserLimits.maxBulkBytes`.
    case bulkTooLarge
    /// A declared aggregate count exceeds `RESPParserLimits.maxElements`.
    case tooManyElements
    /// An aggregate would open deeper than `RESPParserLimits.maxDepth`.
    case tooDeep
    /// A `,` line is not `[+-]?digits[.digits][(e|E)[+-]?digits]`, `inf`, `-inf` or `nan`.
    case invalidDouble
    /// A `#` line is not `t` or `f`.
    case invalidBoolean
    /// A `_` line is not empty.
    case invalidNull
    /// A `(` line is not `[+-]?[0-9]+`.
    case invalidBigNumber
    /// A verbatim string shorter than its `fmt:` prefix, without the colon, or with a format byte that is
    /// not printable ASCII.
    case invalidVerbatim

    public var description: String {
        switch self {
        case .unknownType(let byte): return "unknown RESP type byte 0x\(String(byte, radix: 16))"
        case .invalidInteger: return "invalid RESP integer"
        case .invalidLength: return "invalid RESP length"
        case .unsupportedStreaming: return "RESP3 streamed value not supported"
        case .missingTerminator: return "RESP bulk data not followed by CRLF"
        case .bareCarriageReturn: return "bare CR in RESP line"
        case .bareLineFeed: return "bare LF in RESP line"
        case .lineTooLong: return "RESP line too long"
        case .bulkTooLarge: return "RESP bulk length over the limit"
        case .tooManyElements: return "RESP aggregate count over the limit"
        case .tooDeep: return "RESP aggregates nested too deep"
        case .invalidDouble: return "invalid RESP double"
        case .invalidBoolean: return "invalid RESP boolean"
        case .invalidNull: return "invalid RESP null"
        case .invalidBigNumber: return "invalid RESP big number"
        case .invalidVerbatim: return "invalid RESP verbatim string"
        }
    }
}
