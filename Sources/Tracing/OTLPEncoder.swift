#if canImport(JSON)
import JSON
#endif

/// Spans as an OTLP/HTTP JSON `ExportTraceServiceRequest` (OTLP's protobuf JSON mapping: ids in hex, 64-bit
/// integers and times as decimal strings, enums as numbers). Pure.
public enum OTLPEncoder {
    public static func encode(
        _ spans: [SpanData], resource: [(key: String, value: AttributeValue)], scopeName: String, scopeVersion: String
    ) -> [UInt8] {
        var json = JSONWriter(capacity: 512 + spans.count * 1024)
        json.beginObject()
        json.key("resourceSpans")
        json.beginArray()
        json.beginObject()
        json.key("resource")
        json.beginObject()
        json.key("attributes")
        write(resource, to: &json)
        json.endObject()
        json.key("scopeSpans")
        json.beginArray()
        json.beginObject()
        json.key("scope")
        json.beginObject()
        json.key("name")
        json.string(scopeName)
        json.key("version")
        json.string(scopeVersion)
        json.endObject()
        json.key("spans")
        json.beginArray()
        for span in spans { write(span, to: &json) }
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        return json.bytes
    }

    static func write(_ span: SpanData, to json: inout JSONWriter) {
        json.beginObject()
        json.key("traceId")
        json.plainString { span.context.appendTraceID(to: &$0) }
        json.key("spanId")
        json.plainString { span.context.appendSpanID(to: &$0) }
        if let parent = span.parentSpanID {
            json.key("parentSpanId")
            json.plainString { Hex.append(parent, to: &$0) }
        }
        json.key("flags")
        json.integer(span.context.sampled ? 1 : 0)
        json.key("name")
        json.string(span.name)
        json.key("kind")
        json.integer(span.kind.rawValue)
        json.key("startTimeUnixNano")
        json.plainString { Decimal.append(span.startUnixNs, to: &$0) }
        json.key("endTimeUnixNano")
        json.plainString { Decimal.append(max(span.endUnixNs, span.startUnixNs), to: &$0) }
        json.key("attributes")
        write(span.attributes, to: &json)
        if !span.events.isEmpty {
            json.key("events")
            json.beginArray()
            for event in span.events {
                json.beginObject()
                json.key("timeUnixNano")
                json.plainString { Decimal.append(event.timeUnixNs, to: &$0) }
                json.key("name")
                json.string(event.name)
                json.key("attributes")
                write(event.attributes, to: &json)
                json.endObject()
            }
            json.endArray()
        }
        if !span.links.isEmpty {
            json.key("links")
            json.beginArray()
            for link in span.links {
                json.beginObject()
                json.key("traceId")
                json.plainString { link.appendTraceID(to: &$0) }
                json.key("spanId")
                json.plainString { link.appendSpanID(to: &$0) }
                json.endObject()
            }
            json.endArray()
        }
        json.key("status")
        json.beginObject()
        if let error = span.error {
            json.key("code")
            json.integer(2)
            json.key("message")
            json.string(error)
        }
        json.endObject()
        json.endObject()
    }

    static func write(_ attributes: [(key: String, value: AttributeValue)], to json: inout JSONWriter) {
        json.beginArray()
        for attribute in attributes {
            json.beginObject()
            json.key("key")
            // Attribute names are agentd's own, plain ASCII: no escaping needed.
            json.plainString { $0.append(contentsOf: attribute.key.utf8) }
            json.key("value")
            write(attribute.value, to: &json)
            json.endObject()
        }
        json.endArray()
    }

    static func write(_ value: AttributeValue, to json: inout JSONWriter) {
        json.beginObject()
        switch value {
        case .string(let text):
            json.key("stringValue")
            json.string(text)
        case .int(let number):
            json.key("intValue")
            json.plainString { bytes in
                if number < 0 { bytes.append(UInt8(ascii: "-")) }
                Decimal.append(UInt64(number.magnitude), to: &bytes)
            }
        case .double(let number):
            json.key("doubleValue")
            json.double(number)
        case .bool(let flag):
            json.key("boolValue")
            json.bool(flag)
        case .strings(let texts):
            json.key("arrayValue")
            json.beginObject()
            json.key("values")
            json.beginArray()
            for text in texts { write(.string(text), to: &json) }
            json.endArray()
            json.endObject()
        }
        json.endObject()
    }
}

/// Decimal digits straight into bytes.
enum Decimal {
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        guard value >= 10 else {
            bytes.append(0x30 + UInt8(value))
            return
        }
        append(value / 10, to: &bytes)
        bytes.append(0x30 + UInt8(value % 10))
    }
}
