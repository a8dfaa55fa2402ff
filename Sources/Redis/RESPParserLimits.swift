/// The sizes one Redis reply may not exceed.
///
/// Each limit is checked as soon as the line that declares a size is complete, before any of the data it
/// announces has arrived, so a hostile or broken server cannot make a connection buffer without bound:
/// a `$` length over `maxBulkBytes` fails on `$99999999\r\n`, not 99 MB later. A line itself (which has no
/// declared size) fails once it is longer than `maxLineBytes` without its CRLF.
public struct RESPParserLimits: Sendable, Equatable {
    /// A bulk string, blob error or verbatim string's declared length, in bytes (its CRLF excluded).
    public var maxBulkBytes: Int
    /// What one aggregate may declare: elements of an array, set or push; pairs of a map or attribute.
    public var maxElements: Int
    /// Aggregates open at once, attributes included: `*1\r\n*0\r\n` has depth 2, a lone scalar depth 0.
    public var maxDepth: Int
    /// One line after its type byte, CRLF excluded: simple strings, errors, numbers and lengths.
    public var maxLineBytes: Int

    /// The ceiling for `maxDepth`. The parser keeps its open aggregates on an explicit stack, but comparing,
    /// encoding and freeing a parsed value recurse once per level; 1024 levels fit any thread's stack.
    public static let maximumAllowedDepth = 1024

    /// Larger than anything agentd stores (a cached response, a conversation), far below what would hurt.
    public static let defaultMaxBulkBytes = 16 << 20
    /// Bounds the elements of one reply's aggregate (`SCAN`, `HGETALL` of a large hash still fit).
    public static let defaultMaxElements = 1 << 20
    /// Redis replies nest two or three levels (`XREAD`: streams, entries, fields); 32 is generous.
    public static let defaultMaxDepth = 32
    /// Error messages and numbers are short; simple strings are status words.
    public static let defaultMaxLineBytes = 64 << 10

    public static let `default` = RESPParserLimits()

    public init(
        maxBulkBytes: Int = RESPParserLimits.defaultMaxBulkBytes,
        maxElements: Int = RESPParserLimits.defaultMaxElements,
        maxDepth: Int = RESPParserLimits.defaultMaxDepth,
        maxLineBytes: Int = RESPParserLimits.defaultMaxLineBytes
    ) {
        precondition(maxBulkBytes >= 0 && maxElements >= 0 && maxLineBytes >= 0, "RESPParserLimits sizes are not negative")
        precondition(
            (0...Self.maximumAllowedDepth).contains(maxDepth),
            "RESPParserLimits.maxDepth must be in 0...\(Self.maximumAllowedDepth): parsed values are compared and freed recursively"
        )
        self.maxBulkBytes = maxBulkBytes
        self.maxElements = maxElements
        self.maxDepth = maxDepth
        self.maxLineBytes = maxLineBytes
    }
}
