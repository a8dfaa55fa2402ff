/// How far a document may nest before the parser refuses it.
///
/// The parser recurses once per open array or object, so `maxDepth` is what keeps a hostile `[[[[…` from
/// overflowing the stack: it refuses the first level too many, before reading on.
public struct JSONParserLimits: Sendable, Equatable {
    /// The most arrays and objects open at once; `[[1]]` has depth 2, a lone scalar depth 0.
    public var maxDepth: Int

    /// The ceiling for `maxDepth`. A level costs under 200 bytes of stack in an optimized build (measured:
    /// 1024 levels in 176 KiB), so the ceiling fits a 512 KiB thread stack; a debug build needs about
    /// 2.5 KiB a level, which Linux's 8 MiB thread stacks still hold.
    public static let maximumAllowedDepth = 1024

    /// Far beyond any real request body or tool schema, far below what the stack holds.
    public static let defaultMaxDepth = 128

    public init(maxDepth: Int = JSONParserLimits.defaultMaxDepth) {
        precondition(
            (0...Self.maximumAllowedDepth).contains(maxDepth),
            "JSONParserLimits.maxDepth must be in 0...\(Self.maximumAllowedDepth): the parser recurses once per level"
        )
        self.maxDepth = maxDepth
    }
}
