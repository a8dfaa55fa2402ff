import Testing
@testable import Security

/// One test case of RFC 4231 §4: key, data and the expected HMAC-SHA-256, hex, possibly truncated.
struct HMACVector: Sendable, CustomTestStringConvertible {
    let name: String
    let key: [UInt8]
    let data: [UInt8]
    let expectedHex: String

    var testDescription: String { name }
}

@Suite struct HMACSHA256Tests {
    private static let blockSizedKey = [UInt8](repeating: 0xaa, count: 131)

    /// RFC 4231 §4.2–§4.8. Case 5's output is truncated to 128 bits, as the RFC gives it.
    static let rfc4231: [HMACVector] = [
        HMACVector(
            name: "case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
            expectedHex: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        HMACVector(
            name: "case 2: a key shorter than the output", key: Array("Jefe".utf8),
            data: Array("what do ya want for nothing?".utf8),
            expectedHex: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        HMACVector(
            name: "case 3: 50 bytes of 0xdd", key: [UInt8](repeating: 0xaa, count: 20),
            data: [UInt8](repeating: 0xdd, count: 50),
            expectedHex: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        HMACVector(
            name: "case 4: key 0x01…0x19", key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
            expectedHex: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        HMACVector(
            name: "case 5: truncated to 128 bits", key: [UInt8](repeating: 0x0c, count: 20),
            data: Array("Test With Truncation".utf8), expectedHex: "a3b6167473100ee06e0c796c2955552b"
        ),
        HMACVector(
            name: "case 6: a key longer than a block", key: blockSizedKey,
            data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            expectedHex: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        HMACVector(
            name: "case 7: key and data longer than a block", key: blockSizedKey,
            data: Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. The key needs "
                    + "to be hashed before being used by the HMAC algorithm.").utf8
            ),
            expectedHex: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ]

    @Test(arguments: rfc4231)
    func rfc4231TestCases(vector: HMACVector) {
        let code = HMACSHA256.authenticationCode(key: vector.key, message: vector.data)
        #expect(code.count == HMACSHA256.codeByteCount)
        let truncatedHex = String(SHA256.hex(code).prefix(vector.expectedHex.count))
        #expect(truncatedHex == vector.expectedHex)
    }

    /// A key of exactly one block is used as it is; one byte more and it is hashed first. Expected values from
    /// Python's `hmac` module.
    @Test(arguments: [
        (64, "exact block key", "b563f92fb1a114877408fa27ee56cdc4a0b2dd30807de9559d4bff27f5a2c1fb"),
        (65, "one over", "5517b180889afbf6acdf0badbd1e62311c80c34ac2ce21078c448b5322d15a9c"),
        (0, "", "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
    ])
    func keyLengthsAroundTheBlockSize(keyLength: Int, message: String, expectedHex: String) {
        let key = [UInt8](repeating: UInt8(ascii: "k"), count: keyLength)
        #expect(SHA256.hex(HMACSHA256.authenticationCode(key: key, message: message.utf8)) == expectedHex)
    }

    /// Single-pass sequences (read once, no contiguous storage) give the same code as arrays.
    @Test func streamsSinglePassSequences() {
        let vector = Self.rfc4231[6]
        let keyStream = AnyIterator(vector.key.makeIterator())
        let messageStream = AnyIterator(vector.data.makeIterator())
        let code = HMACSHA256.authenticationCode(key: AnySequence(keyStream), message: AnySequence(messageStream))
        #expect(SHA256.hex(code) == vector.expectedHex)
    }

    @Test func matchesComparesWholeCodes() {
        let code = HMACSHA256.authenticationCode(key: "secret".utf8, message: "body".utf8)
        #expect(HMACSHA256.matches(code, code))
        var lastByteFlipped = code
        lastByteFlipped[31] ^= 0x01
        #expect(!HMACSHA256.matches(code, lastByteFlipped))
        var firstByteFlipped = code
        firstByteFlipped[0] ^= 0x80
        #expect(!HMACSHA256.matches(code, firstByteFlipped))
        #expect(!HMACSHA256.matches(code, code.prefix(16)))
        #expect(!HMACSHA256.matches(code, []))
        #expect(HMACSHA256.matches([UInt8](), [UInt8]()))
    }

    @Test func differentKeysGiveDifferentCodes() {
        let first = HMACSHA256.authenticationCode(key: "one".utf8, message: "same body".utf8)
        let second = HMACSHA256.authenticationCode(key: "two".utf8, message: "same body".utf8)
        #expect(first != second)
    }
}
