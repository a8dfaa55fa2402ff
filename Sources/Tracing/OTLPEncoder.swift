#if canImport(Glibc)
import Glibc
#endif
#if canImport(JSON)
import JSON
#endif

/// Spans as an OTLP/HTTP JSON `ExportTraceServiceRequest` (OTLP's protobuf JSON mapping: ids in hex, 64-bit
/// integers and times as decimal strings, enums as numbers). Pure.
///
/// A span is written in one pass into a buffer sized beforehand for its worst case (`SpanBytes`): every traced
/// request pays for two or more spans, so this is the tracer's hot path.
public enum OTLPEncoder {
    public static func encode(
        _ spans: [SpanData], resource: [(key: String, value: AttributeValue)], scopeName: String, scopeVersion: String
    ) -> [UInt8] {
        var body = head(resource: resource, scopeName: scopeName, scopeVersion: scopeVersion)
        for (index, span) in spans.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += encode(span)
        }
        body += tail
        return body
    }

    /// An export body up to its first span: the resource, the scope and the opening of `spans`. A batch is this,
    /// its spans (`encode(_:)`) separated by commas, and `tail`.
    public static func head(resource: [(key: String, value: AttributeValue)], scopeName: String, scopeVersion: String) -> [UInt8] {
        let capacity = 160 + SpanBytes.bound(resource) + 6 * (scopeName.utf8.count + scopeVersion.utf8.count)
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var out = SpanBytes(buffer)
            out.put(#"{"resourceSpans":[{"resource":{"attributes":"#)
            out.put(resource)
            out.put(#"},"scopeSpans":[{"scope":{"name":"#)
            out.putString(scopeName)
            out.put(#","version":"#)
            out.putString(scopeVersion)
            out.put(#"},"spans":["#)
            count = out.count
            precondition(count <= buffer.count, "the head outgrew its bound")
        }
    }

    /// What closes an export body after its last span.
    public static let tail: [UInt8] = Array("]}]}]}".utf8)

    /// A whole export body: `head`, the spans, `tail`, written in one pass into one buffer.
    public static func encode(_ spans: [SpanData], head: [UInt8]) -> [UInt8] {
        let capacity = spans.reduce(head.count + tail.count) { $0 + SpanBytes.bound($1) + 1 }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var out = SpanBytes(buffer)
            head.withUnsafeBufferPointer { out.putBytes($0) }
            for (index, span) in spans.enumerated() {
                if index > 0 { out.put(",") }
                out.put(span)
            }
            tail.withUnsafeBufferPointer { out.putBytes($0) }
            count = out.count
            precondition(count <= buffer.count, "a batch outgrew its bound")
        }
    }

    /// One span's JSON object.
    public static func encode(_ span: SpanData) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: SpanBytes.bound(span)) { buffer, count in
            var out = SpanBytes(buffer)
            out.put(span)
            count = out.count
            precondition(count <= buffer.count, "a span outgrew its bound")
        }
    }
}

/// A cursor over a buffer that `bound` sized for the worst case of what is written into it: no capacity checks,
/// no reallocation, constant pieces copied whole.
struct SpanBytes {
    private let base: UnsafeMutablePointer<UInt8>
    private var end: UnsafeMutablePointer<UInt8>

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress!
        end = base
    }

    var count: Int { end - base }

    // MARK: Sizes

    /// Most bytes `put(span)` writes.
    static func bound(_ span: SpanData) -> Int {
        var bytes = 400 + 6 * span.name.utf8.count + bound(span.attributes) + 6 * (span.error?.utf8.count ?? 0)
        for event in span.events { bytes += 80 + 6 * event.name.utf8.count + bound(event.attributes) }
        bytes += 90 * span.links.count
        return bytes
    }

    /// Most bytes `put(attributes)` writes.
    static func bound(_ attributes: [(key: String, value: AttributeValue)]) -> Int {
        var bytes = 2
        for (key, value) in attributes {
            bytes += 48 + key.utf8.count
            switch value {
            case .string(let text): bytes += 6 * text.utf8.count
            case .int, .double, .bool: bytes += 40
            case .strings(let texts): bytes += 40 + texts.reduce(0) { $0 + 24 + 6 * $1.utf8.count }
            }
        }
        return bytes
    }

    // MARK: OTLP

    mutating func put(_ span: SpanData) {
        put(#"{"traceId":""#)
        putHex(span.context.traceHigh)
        putHex(span.context.traceLow)
        put(#"","spanId":""#)
        putHex(span.context.spanID)
        if let parent = span.parentSpanID {
            put(#"","parentSpanId":""#)
            putHex(parent)
        }
        put(span.context.sampled ? #"","flags":1,"name":"# : #"","flags":0,"name":"#)
        putString(span.name)
        put(#","kind":"#)
        putDecimal(UInt64(span.kind.rawValue))
        put(#","startTimeUnixNano":""#)
        putDecimal(span.startUnixNs)
        put(#"","endTimeUnixNano":""#)
        putDecimal(max(span.endUnixNs, span.startUnixNs))
        put(#"","attributes":"#)
        put(span.attributes)
        if !span.events.isEmpty {
            put(#","events":["#)
            for (index, event) in span.events.enumerated() {
                put(index == 0 ? #"{"timeUnixNano":""# : #",{"timeUnixNano":""#)
                putDecimal(event.timeUnixNs)
                put(#"","name":"#)
                putString(event.name)
                put(#","attributes":"#)
                put(event.attributes)
                put("}")
            }
            put("]")
        }
        if !span.links.isEmpty {
            put(#","links":["#)
            for (index, link) in span.links.enumerated() {
                put(index == 0 ? #"{"traceId":""# : #",{"traceId":""#)
                putHex(link.traceHigh)
                putHex(link.traceLow)
                put(#"","spanId":""#)
                putHex(link.spanID)
                put(#""}"#)
            }
            put("]")
        }
        if let error = span.error {
            put(#","status":{"code":2,"message":"#)
            putString(error)
            put("}}")
        } else {
            put(#","status":{}}"#)
        }
    }

    mutating func put(_ attributes: [(key: String, value: AttributeValue)]) {
        put("[")
        for (index, attribute) in attributes.enumerated() {
            // Attribute names are agentd's own, plain ASCII: no escaping needed.
            put(index == 0 ? #"{"key":""# : #",{"key":""#)
            putRaw(attribute.key)
            put(#"","value":"#)
            put(attribute.value)
            put("}")
        }
        put("]")
    }

    mutating func put(_ value: AttributeValue) {
        switch value {
        case .string(let text):
            put(#"{"stringValue":"#)
            putString(text)
        case .int(let number):
            put(#"{"intValue":""#)
            if number < 0 { put("-") }
            putDecimal(UInt64(number.magnitude))
            put(#"""#)
        case .double(let number):
            put(#"{"doubleValue":"#)
            var json = JSONWriter(capacity: 32)
            json.double(number)
            json.bytes.withUnsafeBufferPointer { putBytes($0) }
        case .bool(let flag):
            put(flag ? #"{"boolValue":true"# : #"{"boolValue":false"#)
        case .strings(let texts):
            put(#"{"arrayValue":{"values":["#)
            for (index, text) in texts.enumerated() {
                put(index == 0 ? #"{"stringValue":"# : #",{"stringValue":"#)
                putString(text)
                put("}")
            }
            put("]}")
        }
        put("}")
    }

    // MARK: Pieces

    mutating func put(_ constant: StaticString) {
        let count = constant.utf8CodeUnitCount
        end.update(from: constant.utf8Start, count: count)
        end += count
    }

    mutating func putBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        end.update(from: start, count: bytes.count)
        end += bytes.count
    }

    /// A string's bytes as they are (no quotes, no escaping).
    private mutating func putRaw(_ text: String) {
        var text = text
        text.withUTF8 { putBytes($0) }
    }

    /// A JSON string: quoted, escaped as `JSONValue` escapes.
    mutating func putString(_ text: String) {
        put("\"")
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for position in 0..<bytes.count {
                let byte = bytes[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                putBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                runStart = position + 1
                switch byte {
                case UInt8(ascii: "\""): put(#"\""#)
                case UInt8(ascii: "\\"): put(#"\\"#)
                case 0x08: put(#"\b"#)
                case 0x0C: put(#"\f"#)
                case 0x0A: put(#"\n"#)
                case 0x0D: put(#"\r"#)
                case 0x09: put(#"\t"#)
                default:
                    put(#"\u00"#)
                    putNibble(byte >> 4)
                    putNibble(byte & 0x0F)
                }
            }
            putBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        put("\"")
    }

    /// 16 lower-case hex digits.
    mutating func putHex(_ value: UInt64) {
        Hex.write(value, to: end)
        end += 16
    }

    private mutating func putNibble(_ nibble: UInt8) {
        end.pointee = Hex.digit(nibble)
        end += 1
    }

    mutating func putDecimal(_ value: UInt64) {
        // At most 20 digits, written from the right, then moved into place.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var value = value
            var start = 24
            repeat {
                start -= 1
                scratch[start] = 0x30 + UInt8(value % 10)
                value /= 10
            } while value > 0
            let count = 24 - start
            end.update(from: scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + start, count: count)
            end += count
        }
    }
}
