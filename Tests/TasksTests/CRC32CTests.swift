import Testing
@testable import Tasks

@Suite struct CRC32CTests {
    @Test func checkValueOfTheStandardString() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func emptyInputIsZero() {
        #expect(CRC32C.checksum([]) == 0)
    }

    /// RFC 3720 appendix B.4.
    @Test func iSCSIVectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        let readCommand: [UInt8] = [
            0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
            0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(CRC32C.checksum(readCommand) == 0xD996_3A56)
    }

    /// Slicing-by-8 against the bit-at-a-time definition, at every length around the 8-byte steps.
    @Test func tableDrivenMatchesBitwiseAtEveryLength() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes: [UInt8] = (0..<300).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for length in 0...bytes.count {
            let prefix = Array(bytes[0..<length])
            #expect(CRC32C.checksum(prefix) == CRC32C.bitwiseChecksum(prefix), "length \(length)")
        }
    }

    @Test func checksumInPiecesEqualsChecksumOfTheWhole() {
        let whole = Array("The quick brown fox jumps over the lazy dog".utf8)
        for split in 0...whole.count {
            let first = whole[0..<split].withUnsafeBytes { CRC32C.checksum($0) }
            let both = whole[split...].withUnsafeBytes { CRC32C.checksum($0, continuing: first) }
            #expect(both == CRC32C.checksum(whole))
        }
    }
}
