/// Who presented a valid API key: the key's name, never the key or its hash.
///
/// A plain value. The name is what the rest of the daemon may log and key rate limits and budgets on: the name
/// given in `AGENTD_API_KEYS_FILE`, or `key1`, `key2`, … by position in `AGENTD_API_KEYS`. Positional names
/// rather than a prefix of the hash because a hash prefix in a log is an oracle for guessing a weak key offline.
public struct APIKeyIdentity: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(name: String) {
        self.name = name
    }

    public var description: String { name }
}
