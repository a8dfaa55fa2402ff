/// How a Redis server keeps what it acknowledged, as read at connection: AOF on or off, and its fsync policy.
/// A plain value; nil where the server would not say (managed services often disable `CONFIG`).
public struct RedisPersistence: Sendable, Equatable, CustomStringConvertible {
    public var appendOnly: Bool?
    /// `always`, `everysec` or `no`.
    public var appendFsync: String?

    public init(appendOnly: Bool? = nil, appendFsync: String? = nil) {
        self.appendOnly = appendOnly
        self.appendFsync = appendFsync
    }

    /// Whether an acknowledged write is on disk before the reply (AOF with `appendfsync always`).
    public var isDurable: Bool { appendOnly == true && appendFsync == "always" }

    /// What an operator needs to know, in a few words.
    public var description: String {
        switch (appendOnly, appendFsync) {
        case (true?, "always"?): "AOF, appendfsync always: acknowledged writes are on disk"
        case (true?, let policy?): "AOF, appendfsync \(policy): up to a second of acknowledged writes can be lost"
        case (true?, nil): "AOF on (fsync policy not readable)"
        case (false?, _): "no AOF: acknowledged writes are only as durable as the last snapshot"
        case (nil, _): "persistence not readable (INFO refused)"
        }
    }
}
