import COpenSSL

/// A Lua script run on Redis with `EVALSHA` (its SHA-1 computed here once), falling back to `EVAL` when the
/// server answers `NOSCRIPT` (a restarted or flushed Redis forgot it; `EVAL` also caches it again).
/// Scripts run atomically on the server, which is what makes a decision across replicas one decision.
public struct RedisScript: Sendable {
    public let source: String
    /// Lower-case hex SHA-1 of `source`, as Redis names cached scripts.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = Array(source.utf8)
        let status = EVP_Digest(bytes, bytes.count, &digest, &length, EVP_sha1(), nil)
        precondition(status == 1, "EVP_Digest(SHA-1) failed: libcrypto is broken or SHA-1 is disabled by its configuration")
        sha1 = digest.prefix(Int(length)).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
