extension SHA256 {
    /// `bytes` as lowercase hexadecimal, two digits a byte, as `sha256sum` prints a digest.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            text.unicodeScalars.append(hexDigits[Int(byte >> 4)])
            text.unicodeScalars.append(hexDigits[Int(byte & 0x0f)])
        }
        return text
    }

    /// The digest written as `digestByteCount * 2` hex digits (either case); nil for any other text.
    public static func digest(hex text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count == digestByteCount * 2 else { return nil }
        var digest: [UInt8] = []
        digest.reserveCapacity(digestByteCount)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = hexValue(characters[index]), let low = hexValue(characters[index + 1]) else { return nil }
            digest.append(high << 4 | low)
        }
        return digest
    }

    /// The value of one hex digit, or nil when `character` is not one.
    static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static let hexDigits: [Unicode.Scalar] = Array("0123456789abcdef".unicodeScalars)
}
