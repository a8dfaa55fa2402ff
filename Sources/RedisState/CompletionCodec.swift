import LLM

/// A cached answer as bytes: version 1, then the finish reason, input and output tokens, the text and the tool
/// calls, each string as a 4-byte little-endian length and its UTF-8 bytes, each number as 8 bytes little
/// endian. Compact (no JSON escaping of the text) and exact: decode(encode(x)) == x.
///
/// Pure functions; a value that does not decode (another version, a truncated write) is treated as a miss.
enum CompletionCodec {
    static let version: UInt8 = 1

    static func encode(_ completion: ChatCompletion) -> [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(32 + completion.text.utf8.count)
        appendString(completion.finishReason.rawValue, to: &out)
        appendNumber(completion.usage.inputTokens, to: &out)
        appendNumber(completion.usage.outputTokens, to: &out)
        appendString(completion.text, to: &out)
        appendNumber(completion.toolCalls.count, to: &out)
        for call in completion.toolCalls {
            appendString(call.id, to: &out)
            appendString(call.name, to: &out)
            appendString(call.arguments, to: &out)
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> ChatCompletion? {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version,
            let reasonName = reader.string(), let reason = FinishReason(rawValue: reasonName),
            let input = reader.number(), let output = reader.number(), let text = reader.string(),
            let callCount = reader.number(), callCount >= 0, callCount <= bytes.count
        else { return nil }
        var calls: [ToolCall] = []
        for _ in 0..<callCount {
            guard let id = reader.string(), let name = reader.string(), let arguments = reader.string() else { return nil }
            calls.append(ToolCall(id: id, name: name, arguments: arguments))
        }
        guard reader.atEnd else { return nil }
        return ChatCompletion(text: text, toolCalls: calls, finishReason: reason, usage: ChatUsage(inputTokens: input, outputTokens: output))
    }

    private static func appendNumber(_ value: Int, to out: inout [UInt8]) {
        withUnsafeBytes(of: Int64(value).littleEndian) { out += $0 }
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { out += $0 }
        out += bytes
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func number() -> Int? {
            guard bytes.count - offset >= 8 else { return nil }
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            offset += 8
            return Int(Int64(bitPattern: value))
        }

        mutating func string() -> String? {
            guard bytes.count - offset >= 4 else { return nil }
            var length = 0
            for index in 0..<4 { length |= Int(bytes[offset + index]) << (8 * index) }
            offset += 4
            guard bytes.count - offset >= length else { return nil }
            defer { offset += length }
            return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
        }
    }
}
