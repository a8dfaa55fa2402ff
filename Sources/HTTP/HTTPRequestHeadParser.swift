/// The outcome of offering bytes to `HTTPRequestHeadParser`.
public enum HTTPHeadParseResult: Sendable, Equatable {
    /// The head is not complete yet; offer the same bytes again with more appended.
    case needMore
    /// A whole head was read; `consumed` bytes of the input belong to it (the body, if any, follows).
    case complete(HTTPRequestHead, consumed: Int)
    case failed(HTTPParseError)
}

/// A strict, incremental reader of an HTTP/1.1 request head (RFC 9112 §2–§5).
///
/// The interface is picohttpparser's: the caller offers the bytes of the pending request from its first byte,
/// again and again as more arrive; the parser answers *need more*, *complete* with the bytes consumed, or
/// *failed*. The only state it keeps between calls is how far it has already scanned, so a head that arrives
/// one byte at a time costs linear time. It performs no I/O and allocates only the parsed head's strings.
///
/// Strictness: only CRLF ends a line (a bare CR or bare LF is an error, not a line end: lenient line endings
/// are a request-smuggling vector when a proxy in front reads them differently), NUL and other controls are
/// rejected, obs-fold and whitespace before a colon are rejected (RFC 9112 §5.1, §5.2). Empty lines before
/// the request line are skipped, as RFC 9112 §2.2 asks.
public struct HTTPRequestHeadParser: Sendable {
    public let limits: HTTPParserLimits

    /// Scan state for the head in progress: the next byte to look at, where the request line starts (after
    /// skipped empty lines), where the current line starts, and where the request line ends once seen.
    private var scanned = 0
    private var headStart = 0
    private var lineStart = 0
    private var requestLineEnd: Int? = nil

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Forgets any partial head; the next call starts a new request.
    public mutating func reset() {
        scanned = 0
        headStart = 0
        lineStart = 0
        requestLineEnd = nil
    }

    public mutating func parse(_ bytes: [UInt8]) -> HTTPHeadParseResult {
        bytes.withUnsafeBytes { parse($0) }
    }

    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPHeadParseResult {
        let result = scanAndParse(bytes)
        if case .needMore = result { return result }
        reset()
        return result
    }

    private mutating func scanAndParse(_ bytes: UnsafeRawBufferPointer) -> HTTPHeadParseResult {
        precondition(scanned <= bytes.count, "offer the same request's bytes again, with more appended: the input shrank")
        var index = scanned
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte > ASCII.cr {
                // Bytes above CR are neither CR, LF nor NUL: run over them, up to the first place where a size
                // limit below would fire (there the byte-by-byte path reports it, in the same order).
                var limit = min(headStart + limits.maxHeaderBytes, limits.maxHeaderBytes * 2)
                if requestLineEnd == nil { limit = min(limit, headStart + limits.maxRequestLineBytes) }
                if index < limit {
                    let end = min(count, limit)
                    index += 1
                    while index < end && bytes[index] > ASCII.cr { index += 1 }
                    continue
                }
            }
            if byte == ASCII.cr {
                guard index + 1 < count else { break }
                guard bytes[index + 1] == ASCII.lf else { return .failed(.malformed("bare CR in request head")) }
                if requestLineEnd == nil {
                    if index == headStart {
                        // An empty line before the request line (RFC 9112 §2.2).
                        headStart = index + 2
                        // Skipped lines are still bytes the caller must keep buffering: bound them like the
                        // non-CRLF bytes below, or a stream of bare CRLFs gets needMore forever.
                        if headStart > limits.maxHeaderBytes * 2 { return .failed(.headersTooLarge) }
                    } else {
                        if index - headStart > limits.maxRequestLineBytes { return .failed(.requestLineTooLong) }
                        requestLineEnd = index
                    }
                } else if index == lineStart {
                    let headEnd = index + 2
                    if headEnd - headStart > limits.maxHeaderBytes + 2 { return .failed(.headersTooLarge) }
                    return parseHead(bytes, headEnd: headEnd)
                }
                index += 2
                lineStart = index
                continue
            }
            if byte == ASCII.lf { return .failed(.malformed("bare LF in request head: lines end with CRLF")) }
            if byte == 0 { return .failed(.malformed("NUL byte in request head")) }
            index += 1
            if requestLineEnd == nil && index - headStart > limits.maxRequestLineBytes {
                return .failed(.requestLineTooLong)
            }
            if index - headStart > limits.maxHeaderBytes || index > limits.maxHeaderBytes * 2 {
                return .failed(.headersTooLarge)
            }
        }
        scanned = index
        return .needMore
    }

    /// Parses a head whose end (the empty line) has been found at `headEnd`.
    private func parseHead(_ bytes: UnsafeRawBufferPointer, headEnd: Int) -> HTTPHeadParseResult {
        guard let requestLineEnd else { return .failed(.malformed("missing request line")) }
        let line: RequestLine
        switch RequestLine.parse(bytes, from: headStart, to: requestLineEnd) {
        case .success(let parsed): line = parsed
        case .failure(let error): return .failed(error)
        }
        var headers = HTTPHeaders()
        headers.reserveCapacity(12)
        var start = requestLineEnd + 2
        let lastLineEnd = headEnd - 2
        while start < lastLineEnd {
            var end = start
            while bytes[end] != ASCII.cr { end += 1 }
            switch parseField(bytes, from: start, to: end, isFirst: start == requestLineEnd + 2) {
            case .success(let field): headers.add(field.name, field.value)
            case .failure(let error): return .failed(error)
            }
            start = end + 2
        }
        switch HTTPRequestHead.interpret(line, headers: headers, limits: limits) {
        case .success(let head): return .complete(head, consumed: headEnd)
        case .failure(let error): return .failed(error)
        }
    }

    /// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5).
    private func parseField(
        _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, isFirst: Bool
    ) -> Result<HTTPField, HTTPParseError> {
        if ASCII.isWhitespace(bytes[start]) {
            // RFC 9112 §2.2 and §5.2: a whitespace-led first field line is rejected; a later one is obs-fold.
            return .failure(.malformed(isFirst ? "whitespace before the first header field" : "obsolete line folding in header field"))
        }
        var colon = start
        while colon < end && ASCII.isToken(bytes[colon]) { colon += 1 }
        guard colon < end, bytes[colon] == ASCII.colon else {
            if colon < end && ASCII.isWhitespace(bytes[colon]) {
                return .failure(.malformed("whitespace between header field name and colon"))
            }
            return .failure(.malformed("invalid header field name"))
        }
        guard colon > start else { return .failure(.malformed("empty header field name")) }
        var valueStart = colon + 1
        var valueEnd = end
        while valueStart < valueEnd && ASCII.isWhitespace(bytes[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && ASCII.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
        for index in valueStart..<valueEnd where !ASCII.isFieldValue(bytes[index]) {
            return .failure(.malformed("control character in header field value"))
        }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<colon]), as: UTF8.self)
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
        return .success(HTTPField(name: name, value: value))
    }
}
