/// Writes compact JSON text straight into bytes, for the per-request bodies that would otherwise be built as a
/// `JSONValue` tree only to be serialized once (an upstream request, a chat completion answer).
///
/// The caller keeps the nesting balanced (every `beginObject` has its `endObject`, every member value follows
/// its `key`); commas are placed automatically. The output is what `JSONValue.serialized()` writes for the
/// same members in the same order: strings escaped the same way, doubles in the same shortest form.
public struct JSONWriter {
    public private(set) var bytes: [UInt8]
    /// Whether the next value or key follows a sibling and needs a comma first.
    private var afterValue = false

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Goes on from `start`: bytes written earlier that end where a value is due (after a key, `[` or `{`), as a
    /// constant head computed once and reused for every stream event that shares it.
    public init(continuing start: [UInt8], capacity: Int) {
        bytes = start
        bytes.reserveCapacity(capacity)
    }

    /// Bytes outside the JSON text, written as they are: the `data: ` before a Server-Sent Event's document and
    /// the blank line after it.
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        afterValue = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        afterValue = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        afterValue = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        afterValue = true
    }

    /// A member name known at compile time; it must need no escaping (plain ASCII letters, digits, `_`).
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterValue = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSONValue.appendString(value, to: &bytes)
        afterValue = true
    }

    public mutating func integer(_ value: Int) {
        separate()
        JSONValue.appendInteger(value, to: &bytes)
        afterValue = true
    }

    public mutating func double(_ value: Double) { self.value(.double(value)) }

    public mutating func bool(_ value: Bool) {
        separate()
        JSONValue.appendLiteral(value ? "true" : "false", to: &bytes)
        afterValue = true
    }

    public mutating func null() {
        separate()
        JSONValue.appendLiteral("null", to: &bytes)
        afterValue = true
    }

    /// A constant value known at compile time, written as is: it must be valid compact JSON (`[]`, `{"a":null}`).
    public mutating func literal(_ json: StaticString) {
        separate()
        bytes.append(contentsOf: UnsafeBufferPointer(start: json.utf8Start, count: json.utf8CodeUnitCount))
        afterValue = true
    }

    /// A string whose bytes need no escaping (hex digits, decimal digits), written between quotes as they are.
    public mutating func plainString(_ write: (inout [UInt8]) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        write(&bytes)
        bytes.append(UInt8(ascii: "\""))
        afterValue = true
    }

    /// Any value, a tree included (a tool list passed through as received).
    public mutating func value(_ value: JSONValue) {
        separate()
        value.serialize(into: &bytes)
        afterValue = true
    }

    // MARK: Optional members

    /// `"name":value` when there is a value; nothing for nil (an optional field left out, not `null`).
    @inlinable
    public mutating func member<Value: JSONWritable>(_ name: StaticString, _ value: Value?) {
        guard let value else { return }
        key(name)
        value.write(to: &self)
    }

    @inline(__always)
    private mutating func separate() {
        if afterValue { bytes.append(UInt8(ascii: ",")) }
    }
}

/// A value `JSONWriter.member` writes: a string, a number, a Boolean or a whole `JSONValue`.
public protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}

extension String: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.string(self) }
}

extension Int: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.integer(self) }
}

extension Double: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.double(self) }
}

extension Bool: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.bool(self) }
}

extension JSONValue: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.value(self) }
}
