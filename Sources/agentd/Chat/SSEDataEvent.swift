import JSON

extension JSONValue {
    /// `value` as one Server-Sent Event, `data: <compact JSON>\n\n`. Compact JSON holds no raw newline
    /// (they are escaped inside strings), so it is always a single `data:` line.
    static func sseDataEvent(_ value: JSONValue) -> [UInt8] {
        var bytes = Array("data: ".utf8)
        value.serialize(into: &bytes)
        bytes += [0x0A, 0x0A]
        return bytes
    }
}
