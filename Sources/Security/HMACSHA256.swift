import COpenSSL

/// HMAC-SHA256 (RFC 2104) and the constant-time comparison of codes, from OpenSSL's libcrypto.
///
/// Pure functions with no shared state. Used to sign webhook bodies (`X-Agentd-Signature`) and to compare
/// presented secrets; the tests hold RFC 4231's vectors.
public enum HMACSHA256 {
    /// The length of an authentication code, in bytes: that of a SHA-256 digest.
    public static let codeByteCount = SHA256.digestByteCount

    /// HMAC(key, message): 32 bytes. A key longer than a block is hashed first, as RFC 2104 §2 requires
    /// (libcrypto does it).
    public static func authenticationCode(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        let keyBytes = Array(key), messageBytes = Array(message)
        var code = [UInt8](repeating: 0, count: codeByteCount)
        var length: UInt32 = 0
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBytes { messageBuffer in
                // libcrypto takes a non-null key pointer even for an empty key.
                HMAC(
                    EVP_sha256(), keyBuffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(keyBuffer.count),
                    messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBuffer.count, &code, &length
                )
            }
        }
        precondition(result != nil && length == UInt32(codeByteCount), "HMAC(SHA-256) failed: libcrypto is broken")
        return code
    }

    /// Whether two codes are equal, in time that depends only on their lengths (`CRYPTO_memcmp`).
    ///
    /// A verifier that compares a presented code with the expected one leaks nothing of where they first differ.
    /// The lengths are no secret (a code is always 32 bytes, or a caller's truncation of it), so differing
    /// lengths answer false at once.
    public static func matches(_ expected: some Collection<UInt8>, _ presented: some Collection<UInt8>) -> Bool {
        guard expected.count == presented.count else { return false }
        let left = Array(expected), right = Array(presented)
        guard !left.isEmpty else { return true }
        return left.withUnsafeBytes { leftBuffer in
            right.withUnsafeBytes { rightBuffer in CRYPTO_memcmp(leftBuffer.baseAddress, rightBuffer.baseAddress, left.count) == 0 }
        }
    }
}
