/// Why bytes are not a JSON document: where reading stopped and what was wrong there.
///
/// The message is written for the client that sent the document ("expected ':' after object key, found '1'")
/// and never echoes more than one byte of the input, so a hostile document cannot fill a log line.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offset, in bytes from the start of the input, of the byte the message is about: the unexpected
    /// byte, the backslash of a bad escape, the lead byte of a bad UTF-8 sequence, the first byte of a number
    /// that does not fit a Double. When the input ended too soon, the input's length.
    public let offset: Int
    /// What was wrong, without the offset.
    public let message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// "expected ':' after object key, found '1' at byte 17".
    public var description: String { "\(message) at byte \(offset)" }
}

extension JSONError {
    /// A byte as a reader wants to see it in a message: printable ASCII quoted, anything else in hex.
    static func describe(_ byte: UInt8) -> String {
        if byte > 0x20 && byte < 0x7F {
            return "'" + String(UnicodeScalar(byte)) + "'"
        }
        return "byte " + hex(UInt32(byte), digits: 2)
    }

    /// `0x` followed by `digits` upper-case hex digits (more if the value needs them).
    static func hex(_ value: UInt32, digits: Int) -> String {
        var text = String(value, radix: 16, uppercase: true)
        if text.utf8.count < digits {
            text = String(repeating: "0", count: digits - text.utf8.count) + text
        }
        return "0x" + text
    }
}
