/// The outcome of offering bytes to `HTTPBodyDecoder`.
public enum HTTPBodyDecodeResult: Sendable, Equatable {
    /// `consumed` bytes were used and the body is not finished; offer what follows them when it arrives.
    case progress(consumed: Int)
    /// The body ended after `consumed` bytes; anything after them is the next request.
    case complete(consumed: Int)
    case failed(HTTPParseError)
}

/// An incremental decoder for a request body delimited by Content-Length or by the chunked coding
/// (RFC 9112 §6.3, §7.1).
///
/// Unlike the head parser it consumes what it is given and keeps its place, so the caller drops consumed
/// bytes at once. It is a byte-level state machine: a chunk-size line, chunk data and the trailer section
/// may each be cut anywhere. Chunk extensions are accepted and ignored (bounded); trailer fields are
/// checked like header fields and discarded, bounded by `maxHeaderBytes`.
public struct HTTPBodyDecoder: Sendable {
    private enum State: Sendable, Equatable {
        case length(remaining: Int)
        case chunkSize(digits: Int)
        case chunkSizeWhitespace
        case chunkExtension
        case chunkSizeLF
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        case trailerLineStart
        case trailerName
        case trailerValue
        case trailerLineLF
        case finalLF
        case done
    }

    public let limits: HTTPParserLimits
    private var state: State
    private var chunkSize = 0
    private var extensionBytes = 0
    private var trailerBytes = 0
    /// Decoded body bytes so far.
    public private(set) var bodyBytes = 0

    public init(framing: HTTPBodyFraming, limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
        switch framing {
        case .none: state = .done
        case .contentLength(let length): state = .length(remaining: length)
        case .chunked: state = .chunkSize(digits: 0)
        }
    }

    public var isComplete: Bool { state == .done }

    public mutating func decode(_ bytes: [UInt8], into body: inout [UInt8]) -> HTTPBodyDecodeResult {
        bytes.withUnsafeBytes { decode($0, into: &body) }
    }

    public mutating func decode(_ bytes: UnsafeRawBufferPointer, into body: inout [UInt8]) -> HTTPBodyDecodeResult {
        // A body that has ended (or framing `.none`) owns none of what follows: it is the next request.
        // Without this the loop below would step the `.done` state and trap.
        if state == .done { return .complete(consumed: 0) }
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .length(let remaining), .chunkData(let remaining):
                let take = min(remaining, count - index)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                index += take
                bodyBytes += take
                if case .length = state {
                    state = remaining == take ? .done : .length(remaining: remaining - take)
                } else {
                    state = remaining == take ? .chunkDataCR : .chunkData(remaining: remaining - take)
                }
            default:
                if let error = step(bytes[index]) { return .failed(error) }
                index += 1
            }
            if state == .done { return .complete(consumed: index) }
        }
        return state == .done ? .complete(consumed: index) : .progress(consumed: index)
    }

    /// Advances the framing states (everything but body data) by one byte; returns an error to stop on.
    private mutating func step(_ byte: UInt8) -> HTTPParseError? {
        switch state {
        case .chunkSize(let digits):
            if let value = ASCII.hexValue(byte) {
                // 15 hex digits fit an Int with room to spare; more is an overflow attempt.
                guard digits < 15 else { return .malformed("chunk size too long") }
                chunkSize = chunkSize << 4 | Int(value)
                state = .chunkSize(digits: digits + 1)
                return nil
            }
            guard digits > 0 else { return .malformed("invalid chunk size") }
            switch byte {
            case ASCII.cr: state = .chunkSizeLF
            case ASCII.semicolon: state = .chunkExtension
            case ASCII.space, ASCII.tab: state = .chunkSizeWhitespace
            default: return .malformed("invalid chunk size")
            }
        case .chunkSizeWhitespace:
            // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
            if ASCII.isWhitespace(byte) { return nil }
            guard byte == ASCII.semicolon else { return .malformed("invalid chunk size") }
            state = .chunkExtension
        case .chunkExtension:
            if byte == ASCII.cr { state = .chunkSizeLF; return nil }
            guard ASCII.isFieldValue(byte) else { return .malformed("control character in chunk extension") }
            extensionBytes += 1
            if extensionBytes > limits.maxChunkExtensionBytes { return .malformed("chunk extensions too long") }
        case .chunkSizeLF:
            guard byte == ASCII.lf else { return .malformed("bare CR after chunk size") }
            extensionBytes = 0
            if chunkSize == 0 {
                state = .trailerLineStart
            } else {
                guard bodyBytes + chunkSize <= limits.maxBodyBytes else { return .bodyTooLarge }
                state = .chunkData(remaining: chunkSize)
                chunkSize = 0
            }
        case .chunkDataCR:
            guard byte == ASCII.cr else { return .malformed("chunk data longer than its size") }
            state = .chunkDataLF
        case .chunkDataLF:
            guard byte == ASCII.lf else { return .malformed("bare CR after chunk data") }
            state = .chunkSize(digits: 0)
        case .trailerLineStart:
            if byte == ASCII.cr { state = .finalLF; return nil }
            guard ASCII.isToken(byte) else { return .malformed("invalid trailer field") }
            state = .trailerName
            return countTrailerByte()
        case .trailerName:
            if byte == ASCII.colon { state = .trailerValue; return countTrailerByte() }
            guard ASCII.isToken(byte) else { return .malformed("invalid trailer field name") }
            return countTrailerByte()
        case .trailerValue:
            if byte == ASCII.cr { state = .trailerLineLF; return nil }
            guard ASCII.isFieldValue(byte) else { return .malformed("control character in trailer field") }
            return countTrailerByte()
        case .trailerLineLF:
            guard byte == ASCII.lf else { return .malformed("bare CR in trailer section") }
            state = .trailerLineStart
        case .finalLF:
            guard byte == ASCII.lf else { return .malformed("bare CR at end of chunked body") }
            state = .done
        case .length, .chunkData, .done:
            preconditionFailure("body data is copied in bulk, not stepped")
        }
        return nil
    }

    private mutating func countTrailerByte() -> HTTPParseError? {
        trailerBytes += 1
        return trailerBytes > limits.maxHeaderBytes ? .headersTooLarge : nil
    }
}
