import Testing
import Security

@Suite struct SHA256Tests {
    private func hexHash(_ text: String) -> String { SHA256.hex(SHA256.hash(text.utf8)) }

    @Test func fipsExamples() {
        #expect(hexHash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hexHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hexHash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
    }

    @Test func oneMillionLetterA() {
        let digest = SHA256.hash(repeatElement(UInt8(ascii: "a"), count: 1_000_000))
        #expect(SHA256.hex(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// 55 bytes is the longest message whose padding fits in one block; 56 to 63 need a second one; 64 and 65
    /// fill a block exactly and spill one byte over. Expected values from `sha256sum`.
    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
    ])
    func paddingEdges(length: Int, expected: String) {
        let digest = SHA256.hash(repeatElement(UInt8(ascii: "a"), count: length))
        #expect(digest.count == 32)
        #expect(SHA256.hex(digest) == expected)
    }

    @Test func hexRoundTripsAndRejectsWhatIsNotADigest() throws {
        let digest = SHA256.hash("abc".utf8)
        let hex = SHA256.hex(digest)
        #expect(SHA256.digest(hex: hex) == digest)
        #expect(SHA256.digest(hex: hex.uppercased()) == digest)
        #expect(SHA256.digest(hex: String(hex.dropLast())) == nil)
        #expect(SHA256.digest(hex: hex + "0") == nil)
        #expect(SHA256.digest(hex: "g" + hex.dropFirst()) == nil)
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }
}
