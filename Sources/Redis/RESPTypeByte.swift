/// The first byte of every RESP value, shared by the parser and the encoder so both spell the wire the same.
/// Spec: https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md
enum RESPTypeByte: UInt8 {
    case simpleString = 0x2B  // +
    case simpleError = 0x2D  // -
    case integer = 0x3A  // :
    case bulkString = 0x24  // $
    case array = 0x2A  // *
    case null = 0x5F  // _
    case double = 0x2C  // ,
    case boolean = 0x23  // #
    case bigNumber = 0x28  // (
    case blobError = 0x21  // !
    case verbatim = 0x3D  // =
    case map = 0x25  // %
    case set = 0x7E  // ~
    case push = 0x3E  // >
    case attribute = 0x7C  // |
}

/// The bytes RESP's grammar names, for the parser and the encoder.
enum RESPByte {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let minus: UInt8 = 0x2D
    static let plus: UInt8 = 0x2B
    static let dot: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A
    static let zero: UInt8 = 0x30
    static let questionMark: UInt8 = 0x3F
    static let lowercaseE: UInt8 = 0x65
    static let uppercaseE: UInt8 = 0x45
    static let lowercaseT: UInt8 = 0x74
    static let lowercaseF: UInt8 = 0x66

    static func isDigit(_ byte: UInt8) -> Bool { byte &- zero < 10 }

    /// Verbatim formats are three printable ASCII bytes (`txt`, `mkd`), so they decode to a String of three
    /// bytes and encode back to the same three.
    static func isFormatByte(_ byte: UInt8) -> Bool { byte >= 0x20 && byte <= 0x7E }
}
