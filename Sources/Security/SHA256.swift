/// SHA-256, the hash of FIPS 180-4 §6.2, written out in Swift so that `Security` needs nothing but the toolchain.
///
/// Pure functions with no shared state: each call hashes into its own local state. Used to keep API keys only
/// as digests; it is not tuned for bulk data (one block of 64 bytes at a time, a byte at a time in), but it allocates
/// nothing besides the digest. All arithmetic is on `UInt32` modulo 2³² (`&+`), as the standard specifies.
public enum SHA256 {
    /// The length of a digest, in bytes.
    public static let digestByteCount = 32

    /// The digest of `bytes`: 32 bytes.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var state = State()
        state.append(contentsOf: bytes)
        return state.finish()
    }

    /// The message block size, in bytes (FIPS 180-4 §1: 512 bits).
    static let blockByteCount = 64
    /// Where the 64-bit message length starts in the last block (§5.1.1: the length fills its last 8 bytes).
    static let lengthOffsetInBlock = 56

    /// §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    static let roundConstants: InlineArray<64, UInt32> = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// A hash in progress: the intermediate hash, the block being filled and the message length so far.
    ///
    /// Fixed-size inline storage only: hashing allocates nothing but the digest it returns (an API key is hashed
    /// on every request that presents one).
    struct State {
        /// Starts as §5.3.3's: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
        private var hash: InlineArray<8, UInt32> = [
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        ]
        private var block = InlineArray<64, UInt8>(repeating: 0)
        private var blockFill = 0
        private var messageByteCount: UInt64 = 0

        mutating func append(_ byte: UInt8) {
            block[blockFill] = byte
            blockFill += 1
            messageByteCount &+= 1
            if blockFill == SHA256.blockByteCount {
                compressBlock()
                blockFill = 0
            }
        }

        mutating func append(contentsOf bytes: some Sequence<UInt8>) {
            let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
                for byte in buffer { append(byte) }
            }
            if handled == nil {
                for byte in bytes { append(byte) }
            }
        }

        /// Pads the message (§5.1.1: a 1 bit, zeros, the length in bits, big-endian) and returns the digest.
        mutating func finish() -> [UInt8] {
            let messageBitCount = messageByteCount &* 8
            append(0x80)
            while blockFill != SHA256.lengthOffsetInBlock { append(0) }
            for shift in stride(from: 56, through: 0, by: -8) {
                append(UInt8(truncatingIfNeeded: messageBitCount >> UInt64(shift)))
            }
            let words = hash
            return [UInt8](unsafeUninitializedCapacity: SHA256.digestByteCount) { digest, count in
                for index in 0..<8 {
                    let word = words[index]
                    digest[4 * index] = UInt8(truncatingIfNeeded: word >> 24)
                    digest[4 * index + 1] = UInt8(truncatingIfNeeded: word >> 16)
                    digest[4 * index + 2] = UInt8(truncatingIfNeeded: word >> 8)
                    digest[4 * index + 3] = UInt8(truncatingIfNeeded: word)
                }
                count = SHA256.digestByteCount
            }
        }

        /// §6.2.2: one block into the intermediate hash.
        private mutating func compressBlock() {
            var schedule = InlineArray<64, UInt32>(repeating: 0)
            for index in 0..<16 {
                schedule[index] = UInt32(block[4 * index]) << 24 | UInt32(block[4 * index + 1]) << 16
                    | UInt32(block[4 * index + 2]) << 8 | UInt32(block[4 * index + 3])
            }
            for index in 16..<64 {
                let older = schedule[index - 15]
                let newer = schedule[index - 2]
                let sigma0 = rotateRight(older, 7) ^ rotateRight(older, 18) ^ (older >> 3)
                let sigma1 = rotateRight(newer, 17) ^ rotateRight(newer, 19) ^ (newer >> 10)
                schedule[index] = schedule[index - 16] &+ sigma0 &+ schedule[index - 7] &+ sigma1
            }
            // The working variables a…h keep the standard's one-letter names, so §6.2.2 reads alongside.
            var a = hash[0], b = hash[1], c = hash[2], d = hash[3]
            var e = hash[4], f = hash[5], g = hash[6], h = hash[7]
            for round in 0..<64 {
                let bigSigma1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
                let choose = (e & f) ^ (~e & g)
                let temporary1 = h &+ bigSigma1 &+ choose &+ SHA256.roundConstants[round] &+ schedule[round]
                let bigSigma0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let temporary2 = bigSigma0 &+ majority
                h = g
                g = f
                f = e
                e = d &+ temporary1
                d = c
                c = b
                b = a
                a = temporary1 &+ temporary2
            }
            hash[0] &+= a
            hash[1] &+= b
            hash[2] &+= c
            hash[3] &+= d
            hash[4] &+= e
            hash[5] &+= f
            hash[6] &+= g
            hash[7] &+= h
        }

        private func rotateRight(_ word: UInt32, _ count: UInt32) -> UInt32 {
            (word >> count) | (word << (32 - count))
        }
    }
}
