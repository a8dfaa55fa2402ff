import COpenSSL

/// SHA-256 (FIPS 180-4) from OpenSSL's libcrypto: a well-kept implementation where a hand-written one would be
/// a liability. Used to keep API keys only as digests and to name cached answers in Redis.
///
/// Pure functions with no shared state: each call hashes into its own digest context.
public enum SHA256 {
    /// The length of a digest, in bytes.
    public static let digestByteCount = 32

    /// The digest of `bytes`: 32 bytes.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let message = Array(bytes)
        var digest = [UInt8](repeating: 0, count: digestByteCount)
        var length: UInt32 = 0
        let status = message.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(status == 1 && length == UInt32(digestByteCount), "EVP_Digest(SHA-256) failed: libcrypto is broken")
        return digest
    }
}
