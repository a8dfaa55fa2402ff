extension JSONValue {
    /// The compact JSON text of this value, as UTF-8 bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        serialize(into: &out)
        return out
    }

    /// Appends the compact JSON text of this value to `out` (RFC 8259).
    ///
    /// No whitespace; object members in their order; strings escape only what RFC 8259 §7 requires (`"`,
    /// `\` and U+0000…U+001F, with the short forms `\b \f \n \r \t`), so `/` and non-ASCII pass through as
    /// UTF-8. Doubles are written in Swift's shortest form that reads back as the same Double (`100.0`,
    /// `1e+16`); infinities and NaN, which JSON cannot express, are written as `null`.
    /// Recurses once per level: a parsed value is bounded by the parser's depth limit, a built one is not.
    public func serialize(into out: inout [UInt8]) {
        switch self {
        case .null:
            Self.appendLiteral("null", to: &out)
        case .bool(let value):
            Self.appendLiteral(value ? "true" : "false", to: &out)
        case .integer(let value):
            Self.appendInteger(value, to: &out)
        case .double(let value):
            if value.isFinite {
                out.append(contentsOf: value.description.utf8)
            } else {
                Self.appendLiteral("null", to: &out)
            }
        case .string(let value):
            Self.appendString(value, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                element.serialize(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            object.serialize(into: &out)
        }
    }

    /// The compact JSON text of this value.
    public var text: String { String(decoding: serialized(), as: UTF8.self) }

    static func appendLiteral(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Writes the decimal digits in place, without an intermediate String.
    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            out.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        var digitCount = 0
        var remaining = magnitude
        while remaining > 0 {
            digitCount += 1
            remaining /= 10
        }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digitCount))
        var position = start + digitCount
        while magnitude > 0 {
            position -= 1
            out[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        }
    }

    /// Writes `value` quoted and escaped, copying each run that needs no escape in one piece.
    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let copied: Void? = value.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &out) }
        if copied == nil {
            Array(value.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        for position in 0..<bytes.count {
            let byte = bytes[position]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < position {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
            }
            runStart = position + 1
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        if runStart < bytes.count {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
    }

    /// Lower-case, as most encoders write `\u001f`.
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension JSONObject {
    /// The compact JSON text of this object, as UTF-8 bytes; see `JSONValue.serialize(into:)`.
    public func serialized() -> [UInt8] { JSONValue.object(self).serialized() }

    /// Appends the compact JSON text of this object to `out`, members in order.
    public func serialize(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (position, member) in members.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.appendString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            member.value.serialize(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The compact JSON text of this object.
    public var text: String { String(decoding: serialized(), as: UTF8.self) }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text, so a value reads in logs and test failures as it would on the wire.
    public var description: String { text }
}

extension JSONObject: CustomStringConvertible {
    public var description: String { text }
}
