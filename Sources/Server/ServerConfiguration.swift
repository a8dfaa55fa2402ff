import HTTP

/// The server's listening address, its limits and its timeouts. Units are in the names.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 asks the kernel for a free port (tests); `HTTPServer.port` tells which.
    public var port: Int
    /// Event loops, one thread each; 0 means one per core.
    public var eventLoopCount: Int
    public var limits: HTTPParserLimits
    /// Absolute deadline for a whole request head, from its first byte (from accept for the first request).
    public var headerTimeoutMs: Int
    /// Longest pause between two reads of a request body.
    public var bodyTimeoutMs: Int
    /// How long a keep-alive connection may wait for its next request.
    public var idleTimeoutMs: Int
    /// Longest time pending response bytes may make no progress before the connection is dropped.
    public var writeTimeoutMs: Int
    /// Connections beyond this are closed as soon as they are accepted.
    public var maxConnections: Int
    /// After an error response the write side is shut and input discarded this long, so the client reads
    /// the response instead of a reset (RFC 9112 §9.6).
    public var lingerMs: Int
    /// Response bytes a stream may queue before its producer is paused.
    public var streamHighWaterBytes: Int
    public var listenBacklog: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, eventLoopCount: Int = 0,
        limits: HTTPParserLimits = HTTPParserLimits(), headerTimeoutMs: Int = 10_000, bodyTimeoutMs: Int = 10_000,
        idleTimeoutMs: Int = 75_000, writeTimeoutMs: Int = 30_000, maxConnections: Int = 10_000,
        lingerMs: Int = 2_000, streamHighWaterBytes: Int = 64 * 1024, listenBacklog: Int = 4096
    ) {
        self.host = host
        self.port = port
        self.eventLoopCount = eventLoopCount
        self.limits = limits
        self.headerTimeoutMs = headerTimeoutMs
        self.bodyTimeoutMs = bodyTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.writeTimeoutMs = writeTimeoutMs
        self.maxConnections = maxConnections
        self.lingerMs = lingerMs
        self.streamHighWaterBytes = streamHighWaterBytes
        self.listenBacklog = listenBacklog
    }
}
