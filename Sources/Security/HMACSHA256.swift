/// HMAC-SHA256, the keyed message authentication code of RFC 2104 over `SHA256`, with a constant-time check.
///
/// Pure functions with no shared state: each call keys its own two hash states. The message is streamed into
/// the inner hash as it is read, never copied; the key is padded into a fixed 64-byte block on the stack (a key
/// longer than a block is hashed first, as RFC 2104 §2 requires), so a code costs the digest and nothing more.
/// Used to sign webhook bodies (`X-Agentd-Signature`); test vectors are RFC 4231's.
public enum HMACSHA256 {
    /// The length of an authentication code, in bytes: that of a SHA-256 digest.
    public static let codeByteCount = SHA256.digestByteCount

    /// RFC 2104 §2: the byte every key byte is XORed with for the inner hash.
    static let innerPad: UInt8 = 0x36
    /// RFC 2104 §2: the byte every key byte is XORed with for the outer hash.
    static let outerPad: UInt8 = 0x5c

    /// HMAC(key, message) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)): 32 bytes.
    ///
    /// Each sequence is read once, so single-pass sequences are fine.
    public static func authenticationCode(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        let keyBlock = paddedKey(key)
        var inner = SHA256.State()
        for index in 0..<SHA256.blockByteCount { inner.append(keyBlock[index] ^ innerPad) }
        inner.append(contentsOf: message)
        let innerDigest = inner.finish()
        var outer = SHA256.State()
        for index in 0..<SHA256.blockByteCount { outer.append(keyBlock[index] ^ outerPad) }
        outer.append(contentsOf: innerDigest)
        return outer.finish()
    }

    /// Whether two codes are equal, in time that depends only on their lengths.
    ///
    /// Every byte is read whatever the earlier ones held, so a verifier that compares a presented code with the
    /// expected one leaks nothing of where they first differ. The lengths are no secret (a code is always 32
    /// bytes, or a caller's truncation of it), so differing lengths answer false at once.
    public static func matches(_ expected: some Collection<UInt8>, _ presented: some Collection<UInt8>) -> Bool {
        guard expected.count == presented.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(expected, presented) { difference |= left ^ right }
        return difference == 0
    }

    /// The key as RFC 2104 §2 uses it: one block, zero-padded; a key longer than a block is replaced by its digest.
    ///
    /// Reads the key once: bytes go into the block until it overflows, and only then into a hash, block first.
    static func paddedKey(_ key: some Sequence<UInt8>) -> InlineArray<64, UInt8> {
        var block = InlineArray<64, UInt8>(repeating: 0)
        var iterator = key.makeIterator()
        var filled = 0
        while filled < SHA256.blockByteCount, let byte = iterator.next() {
            block[filled] = byte
            filled += 1
        }
        guard filled == SHA256.blockByteCount, let overflowing = iterator.next() else { return block }
        var hasher = SHA256.State()
        for index in 0..<SHA256.blockByteCount { hasher.append(block[index]) }
        hasher.append(overflowing)
        while let byte = iterator.next() { hasher.append(byte) }
        let digest = hasher.finish()
        block = InlineArray<64, UInt8>(repeating: 0)
        for index in 0..<digest.count { block[index] = digest[index] }
        return block
    }
}
