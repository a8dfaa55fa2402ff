extension HTTPRequestHead {
    /// Turns a request line and its fields into a head, deciding body framing, persistence and expectations.
    ///
    /// RFC 9112 §6.1–§6.3 and §3.2: the cases that let two parsers disagree on where a request ends are
    /// errors here, never guesses — Content-Length with Transfer-Encoding, several or non-numeric
    /// Content-Length values, a Transfer-Encoding whose final coding is not chunked, chunked applied twice,
    /// Transfer-Encoding on HTTP/1.0, and a missing, repeated or malformed Host on HTTP/1.1.
    static func interpret(
        _ line: RequestLine, headers: HTTPHeaders, limits: HTTPParserLimits
    ) -> Result<HTTPRequestHead, HTTPParseError> {
        var hostCount = 0
        var contentLengths: [String] = []
        var codings: [String] = []
        var connectionClose = false
        var connectionKeepAlive = false
        var expectation: String? = nil
        for field in headers {
            let name = field.name
            // By length first: most fields are none of these, and most lengths rule out all but one name.
            switch name.utf8.count {
            case 4 where ASCII.equalsIgnoringCase(name, "host"):
                hostCount += 1
                guard isValidHost(field.value) else { return .failure(.malformed("invalid Host header")) }
            case 14 where ASCII.equalsIgnoringCase(name, "content-length"):
                contentLengths.append(field.value)
            case 17 where ASCII.equalsIgnoringCase(name, "transfer-encoding"):
                let elements = listElements(field.value)
                // An empty field is not "no Transfer-Encoding": another parser may see the field and frame
                // differently (e.g. ignore a Content-Length beside it), so refuse rather than guess.
                guard !elements.isEmpty else { return .failure(.malformed("empty Transfer-Encoding")) }
                codings += elements
            case 10 where ASCII.equalsIgnoringCase(name, "connection"):
                for token in listElements(field.value) {
                    if token == "close" { connectionClose = true }
                    if token == "keep-alive" { connectionKeepAlive = true }
                }
            case 6 where ASCII.equalsIgnoringCase(name, "expect"):
                guard expectation == nil else { return .failure(.malformed("several Expect headers")) }
                expectation = field.value.lowercased()
            default:
                break
            }
        }

        let isHTTP11 = line.version.minor >= 1
        if isHTTP11 && hostCount == 0 { return .failure(.malformed("missing Host header")) }
        if hostCount > 1 { return .failure(.malformed("several Host headers")) }

        let framing: HTTPBodyFraming
        switch decideFraming(contentLengths: contentLengths, codings: codings, isHTTP11: isHTTP11, limits: limits) {
        case .success(let decided): framing = decided
        case .failure(let error): return .failure(error)
        }

        var expectsContinue = false
        if let expectation {
            guard expectation == "100-continue" else { return .failure(.unsupportedExpectation(expectation)) }
            // RFC 9110 §10.1.1: an HTTP/1.0 client cannot wait for 100; the expectation is ignored.
            expectsContinue = isHTTP11 && framing != .none
        }

        let keepAlive = isHTTP11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return .success(HTTPRequestHead(
            method: line.method, target: line.target, path: line.path, query: line.query, version: line.version,
            headers: headers, keepAlive: keepAlive, framing: framing, expectsContinue: expectsContinue
        ))
    }

    private static func decideFraming(
        contentLengths: [String], codings: [String], isHTTP11: Bool, limits: HTTPParserLimits
    ) -> Result<HTTPBodyFraming, HTTPParseError> {
        if !codings.isEmpty {
            guard contentLengths.isEmpty else {
                return .failure(.malformed("both Content-Length and Transfer-Encoding"))
            }
            guard isHTTP11 else { return .failure(.malformed("Transfer-Encoding in an HTTP/1.0 request")) }
            guard codings.last == "chunked" else {
                return .failure(.malformed("Transfer-Encoding does not end with chunked"))
            }
            guard codings.filter({ $0 == "chunked" }).count == 1 else {
                return .failure(.malformed("chunked applied more than once"))
            }
            if codings.count > 1 { return .failure(.unsupportedTransferCoding(codings[0])) }
            return .success(.chunked)
        }
        guard let value = contentLengths.first else { return .success(.none) }
        guard contentLengths.count == 1 else { return .failure(.malformed("several Content-Length headers")) }
        guard let length = parseContentLength(value) else { return .failure(.malformed("invalid Content-Length")) }
        if length > limits.maxBodyBytes { return .failure(.bodyTooLarge) }
        return .success(length == 0 ? .none : .contentLength(length))
    }

    /// Content-Length = 1*DIGIT, at most 18 digits so it cannot overflow.
    static func parseContentLength(_ value: String) -> Int? {
        let digits = value.utf8
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(ASCII.isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - ASCII.zero) }
    }

    /// The lower-cased elements of a comma list, OWS trimmed, empty elements dropped (RFC 9110 §5.6.1).
    static func listElements(_ value: String) -> [String] {
        value.split(separator: ",").compactMap { element in
            let trimmed = element.trimmingWhitespace()
            return trimmed.isEmpty ? nil : trimmed.lowercased()
        }
    }

    /// Host = uri-host [ ":" port ] (RFC 9110 §7.2): reg-name, IPv4 or a bracketed IP literal; may be empty.
    static func isValidHost(_ value: String) -> Bool {
        value.utf8.allSatisfy { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
            // "-._~!$&'()*+,;=:[]%"
            case 0x2D, 0x2E, 0x5F, 0x7E, 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3B, 0x3D, 0x3A, 0x5B,
                0x5D, 0x25:
                return true
            default: return false
            }
        }
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
