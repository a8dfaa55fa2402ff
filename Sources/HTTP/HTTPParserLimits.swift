/// The sizes a request may not exceed; each maps to the status docs/api.md gives it (Size limits).
public struct HTTPParserLimits: Sendable, Equatable {
    /// Request line, CRLF excluded (→ 414).
    public var maxRequestLineBytes: Int
    /// The whole head: request line and header fields (→ 431). Also bounds a chunked body's trailer section.
    public var maxHeaderBytes: Int
    /// A decoded body (→ 413).
    public var maxBodyBytes: Int
    /// Extensions on one chunk-size line (→ 400); they carry nothing we use.
    public var maxChunkExtensionBytes: Int

    public init(
        maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxBodyBytes: Int = 1_048_576,
        maxChunkExtensionBytes: Int = 1024
    ) {
        precondition(maxRequestLineBytes > 0 && maxHeaderBytes > 0 && maxBodyBytes >= 0, "limits are positive sizes")
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkExtensionBytes = maxChunkExtensionBytes
    }
}
