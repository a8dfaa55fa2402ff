// libFuzzer harness for the HTTP module. Built by Fuzz/run.sh, which compiles this file together with
// Sources/HTTP/*.swift as one module, so there is no `import HTTP`; only the module's public API is used.
//
// The input is one connection's byte stream. It is read twice per set of limits, the way Connection.process
// reads it: once as if every byte had arrived in one read, once arriving in pieces whose sizes come from
// the first byte (the head parser is re-offered the pending request from its first byte as bytes arrive; the
// body decoder gets what follows what it consumed). Both reads must produce the same events, since both
// parsers are deterministic scanners that look at the same bytes in the same order. Every invariant is a
// precondition (`invariant`, which keeps its message in -O builds), so libFuzzer reports a violation as a crash.

private let cr: UInt8 = 0x0D
private let lf: UInt8 = 0x0A

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let first: UInt8 = size > 0 ? input[0] : 0
    let last: UInt8 = size > 0 ? input[size - 1] : 0

    // Default limits, then small ones chosen by the first and last bytes and the size, so the limit paths
    // are reached (and plain seeds, which all end in LF, still get different small limits).
    var lastHead: HTTPRequestHead? = nil
    for limits in [HTTPParserLimits(), smallLimits(first &+ last &+ UInt8(truncatingIfNeeded: size))] {
        let whole = readConnection(input, limits: limits, arrivals: size > 0 ? [size] : [])
        let pieced = readConnection(input, limits: limits, arrivals: arrivals(first, size))
        invariant(
            whole == pieced,
            "whole and pieced reads differ (limits \(limits)):\n  whole:  \(whole)\n  pieced: \(pieced)"
        )
        for event in whole { if case .head(let head, _, _) = event { lastHead = head } }
    }

    checkResponseEncoder(input, parsedHead: lastHead)
    checkChunkRoundTrip(input)
    checkServerSentEvent(input)
    return 0
}

// MARK: Reading a connection

/// What a read of the stream produced, in order. Offsets are from the start of the stream.
enum Event: Equatable, CustomStringConvertible {
    case head(HTTPRequestHead, start: Int, consumed: Int)
    case body([UInt8], start: Int, consumed: Int)
    case failed(HTTPParseError, inBody: Bool, start: Int)
    /// The stream ended with a head incomplete (or nothing pending: start == stream size).
    case endAwaitingHead(start: Int)
    /// The stream ended inside a body, after `decoded` body bytes.
    case endInBody(start: Int, decoded: Int)

    var description: String {
        switch self {
        case .head(let head, let start, let consumed):
            return "head(\(head.method) \(head.target) \(head.version) \(head.framing) at \(start)+\(consumed))"
        case .body(let body, let start, let consumed): return "body(\(body.count) bytes at \(start)+\(consumed))"
        case .failed(let error, let inBody, let start): return "failed(\(error), inBody: \(inBody), at \(start))"
        case .endAwaitingHead(let start): return "endAwaitingHead(at \(start))"
        case .endInBody(let start, let decoded): return "endInBody(at \(start), decoded \(decoded))"
        }
    }
}

/// Reads `stream` as Connection.process does, with bytes arriving up to each offset in `arrivals` in turn
/// (strictly increasing, ending at the stream's size). Pipelined requests are read until an error or the end.
func readConnection(_ stream: UnsafeRawBufferPointer, limits: HTTPParserLimits, arrivals: [Int]) -> [Event] {
    var events: [Event] = []
    var arrived = 0
    var nextArrival = 0
    var position = 0  // first unconsumed byte
    var parser = HTTPRequestHeadParser(limits: limits)

    func arrive() -> Bool {
        guard nextArrival < arrivals.count else { return false }
        invariant(arrivals[nextArrival] > arrived && arrivals[nextArrival] <= stream.count, "bad arrivals")
        arrived = arrivals[nextArrival]
        nextArrival += 1
        return true
    }

    while true {
        // Awaiting a head: the server only parses a non-empty buffer.
        if position == arrived {
            if arrive() { continue }
            events.append(.endAwaitingHead(start: position))
            return events
        }
        let offered = UnsafeRawBufferPointer(rebasing: stream[position..<arrived])
        switch parser.parse(offered) {
        case .needMore:
            // The parser's absolute cap (2 × maxHeaderBytes, plus a line end and a CR waiting for its LF):
            // a server buffering a pending head must not grow without bound.
            invariant(
                offered.count <= 2 * limits.maxHeaderBytes + 3,
                "needMore with \(offered.count) pending bytes; maxHeaderBytes \(limits.maxHeaderBytes)"
            )
            if arrive() { continue }
            events.append(.endAwaitingHead(start: position))
            return events
        case .failed(let error):
            events.append(.failed(error, inBody: false, start: position))
            return events
        case .complete(let head, let consumed):
            invariant(consumed > 0 && consumed <= offered.count, "head consumed \(consumed) of \(offered.count)")
            checkHead(head, bytes: UnsafeRawBufferPointer(rebasing: offered[0..<consumed]), limits: limits)
            events.append(.head(head, start: position, consumed: consumed))
            position += consumed
            if head.framing == .none {
                var none = HTTPBodyDecoder(framing: .none, limits: limits)
                var nothing: [UInt8] = []
                let result = none.decode(UnsafeRawBufferPointer(rebasing: stream[position..<arrived]), into: &nothing)
                invariant(result == .complete(consumed: 0) && nothing.isEmpty, "framing .none decoded \(result)")
                continue
            }

            var decoder = HTTPBodyDecoder(framing: head.framing, limits: limits)
            var body: [UInt8] = []
            let bodyStart = position
            reading: while true {
                if position == arrived {
                    if arrive() { continue }
                    invariant(!decoder.isComplete, "decoder complete but not reported")
                    events.append(.endInBody(start: bodyStart, decoded: body.count))
                    return events
                }
                let available = UnsafeRawBufferPointer(rebasing: stream[position..<arrived])
                let result = decoder.decode(available, into: &body)
                invariant(body.count == decoder.bodyBytes, "body has \(body.count) bytes, decoder counts \(decoder.bodyBytes)")
                invariant(body.count <= limits.maxBodyBytes, "body \(body.count) > maxBodyBytes \(limits.maxBodyBytes)")
                switch result {
                case .progress(let consumed):
                    // It consumes what it is given and keeps its place.
                    invariant(consumed == available.count, "progress consumed \(consumed) of \(available.count)")
                    invariant(!decoder.isComplete, "progress but complete")
                    position += consumed
                case .complete(let consumed):
                    invariant(consumed > 0 && consumed <= available.count, "body consumed \(consumed) of \(available.count)")
                    invariant(decoder.isComplete, "complete but decoder not done")
                    position += consumed
                    checkBody(body, framing: head.framing, wire: UnsafeRawBufferPointer(rebasing: stream[bodyStart..<position]))
                    // An ended body owns nothing of what follows (the next request), whatever is offered.
                    let after = decoder.decode(UnsafeRawBufferPointer(rebasing: stream[position..<arrived]), into: &body)
                    invariant(after == .complete(consumed: 0) && body.count == decoder.bodyBytes,
                              "decode after completion gave \(after)")
                    events.append(.body(body, start: bodyStart, consumed: position - bodyStart))
                    break reading
                case .failed(let error):
                    events.append(.failed(error, inBody: true, start: bodyStart))
                    return events
                }
            }
        }
    }
}

/// Where the pieced read's bytes arrive, from the first byte of the input.
func arrivals(_ selector: UInt8, _ size: Int) -> [Int] {
    guard size > 1 else { return size == 1 ? [1] : [] }
    var cuts: [Int] = []
    switch selector % 4 {
    case 0:
        cuts = Array(1..<size)  // one byte per read
    case 1:
        let step = Int(selector >> 2) % 13 + 2
        cuts = Array(stride(from: step, to: size, by: step))
    case 2:
        // Pseudo-random read sizes from a tiny LCG seeded by the byte.
        var state = UInt32(selector) &* 2_654_435_761 | 1
        let maxPiece = Int(selector >> 2) % 31 + 2
        var at = 0
        while true {
            state = state &* 1_664_525 &+ 1_013_904_223
            at += Int(state >> 16) % maxPiece + 1
            if at >= size { break }
            cuts.append(at)
        }
    default:
        // A few cut points: near the start, somewhere set by the byte, in the middle, one byte short of the end.
        cuts = [1, Int(selector) * 7 % size, size / 2, size - 1]
    }
    var result = Array(Set(cuts.filter { $0 > 0 && $0 < size })).sorted()
    result.append(size)
    return result
}

func smallLimits(_ byte: UInt8) -> HTTPParserLimits {
    HTTPParserLimits(
        maxRequestLineBytes: 4 + Int(byte & 0x0F) * 6,
        maxHeaderBytes: 16 + Int(byte >> 4) * 16,
        maxBodyBytes: Int(byte % 11),
        maxChunkExtensionBytes: Int(byte % 5)
    )
}

// MARK: Head invariants

private func isToken(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    default: return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }
}

private func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F }

func checkHead(_ head: HTTPRequestHead, bytes: UnsafeRawBufferPointer, limits: HTTPParserLimits) {
    // The head ends with its empty line, and only CRLF ends a line: no bare CR, bare LF or NUL anywhere.
    let n = bytes.count
    invariant(n >= 4 && bytes[n - 4] == cr && bytes[n - 3] == lf && bytes[n - 2] == cr && bytes[n - 1] == lf,
                 "a complete head ends with CRLF CRLF")
    for i in 0..<n {
        invariant(bytes[i] != 0, "NUL in an accepted head")
        if bytes[i] == cr { invariant(i + 1 < n && bytes[i + 1] == lf, "bare CR in an accepted head") }
        if bytes[i] == lf { invariant(i > 0 && bytes[i - 1] == cr, "bare LF in an accepted head") }
    }
    // Size limits, after the empty lines skipped before the request line.
    var start = 0
    while start + 1 < n && bytes[start] == cr { start += 2 }
    invariant(n - start <= limits.maxHeaderBytes + 2, "head of \(n - start) bytes over maxHeaderBytes \(limits.maxHeaderBytes)")
    var lineEnd = start
    while bytes[lineEnd] != cr { lineEnd += 1 }
    invariant(lineEnd - start <= limits.maxRequestLineBytes, "request line over maxRequestLineBytes")

    // Request line.
    invariant(head.version.major == 1 && (0...9).contains(head.version.minor), "version \(head.version)")
    invariant(!head.method.rawValue.isEmpty && head.method.rawValue.utf8.allSatisfy(isToken), "method")
    invariant(!head.target.isEmpty && head.target.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }, "target")
    invariant(!head.path.isEmpty, "empty path")
    if head.method == .connect {
        invariant(head.path == head.target && !head.target.utf8.contains(0x2F), "CONNECT target not authority-form")
    }

    // Fields: token names, values without controls or surrounding whitespace.
    var hosts = 0, contentLengths: [String] = [], transferEncodings = 0, expects = 0
    for field in head.headers {
        invariant(!field.name.isEmpty && field.name.utf8.allSatisfy(isToken), "field name \(field.name.debugDescription)")
        let value = Array(field.value.utf8)
        invariant(!value.contains(where: isControl), "control in field value \(field.value.debugDescription)")
        if let first = value.first, let last = value.last {
            invariant(first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09, "untrimmed field value")
        }
        switch field.name.lowercased() {
        case "host": hosts += 1
        case "content-length": contentLengths.append(field.value)
        case "transfer-encoding": transferEncodings += 1
        case "expect": expects += 1
        default: break
        }
    }
    if head.version.minor >= 1 {
        invariant(hosts == 1, "a complete HTTP/1.1 head has \(hosts) Host headers")
    } else {
        invariant(hosts <= 1, "a complete HTTP/1.0 head has \(hosts) Host headers")
    }

    // Framing: exactly one way to find the end of the body (RFC 9112 §6.3); nothing a proxy could read differently.
    switch head.framing {
    case .contentLength(let length):
        invariant(transferEncodings == 0, "Content-Length framing with a Transfer-Encoding header")
        invariant(contentLengths.count == 1, "Content-Length framing with \(contentLengths.count) Content-Length headers")
        invariant(length > 0 && length <= limits.maxBodyBytes, "Content-Length \(length) out of range")
        invariant(contentLengths[0].utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && Int(contentLengths[0]) == length,
                     "Content-Length framing \(length) from \(contentLengths[0].debugDescription)")
    case .chunked:
        invariant(transferEncodings >= 1 && contentLengths.isEmpty, "chunked framing without TE or with CL")
        invariant(head.version.minor >= 1, "chunked framing on HTTP/1.0")
    case .none:
        invariant(transferEncodings == 0, "no body framing although a Transfer-Encoding header is present")
        invariant(contentLengths.count <= 1, "several Content-Length headers accepted")
        if let value = contentLengths.first {
            invariant(!value.isEmpty && value.utf8.allSatisfy { $0 == 0x30 }, "no body framing with Content-Length \(value)")
        }
    }
    if head.expectsContinue {
        invariant(expects == 1 && head.framing != .none && head.version.minor >= 1, "expectsContinue without a body")
    }

    // Round trip: the head written back in canonical form parses to the same head. Size limits are lifted
    // (canonical form may be longer: "a:b" becomes "a: b"); maxBodyBytes stays, since framing depends on it.
    var canonical = Array("\(head.method.rawValue) \(head.target) HTTP/\(head.version.major).\(head.version.minor)\r\n".utf8)
    for field in head.headers { canonical += Array("\(field.name): \(field.value)\r\n".utf8) }
    canonical += [cr, lf]
    var relaxed = limits
    relaxed.maxHeaderBytes = 1 << 20
    relaxed.maxRequestLineBytes = 1 << 20
    var parser = HTTPRequestHeadParser(limits: relaxed)
    let reparsed = parser.parse(canonical)
    invariant(reparsed == .complete(head, consumed: canonical.count),
                 "canonical form parses differently: \(reparsed) vs \(head)")
}

func checkBody(_ body: [UInt8], framing: HTTPBodyFraming, wire: UnsafeRawBufferPointer) {
    switch framing {
    case .contentLength(let length):
        invariant(body.count == length && wire.count == length && body.elementsEqual(wire), "Content-Length body")
    case .chunked:
        // Smallest chunked body is "0\r\n\r\n"; every chunked body ends with its empty line.
        invariant(wire.count >= 5 && wire[wire.count - 2] == cr && wire[wire.count - 1] == lf, "chunked body end")
        invariant(body.count < wire.count, "chunked body no smaller than its wire form")
    case .none:
        fatalError("no body to decode")
    }
}

// MARK: Response encoder

/// Response heads built from input-derived names, values, reason phrases and dates must keep every line intact.
func checkResponseEncoder(_ input: UnsafeRawBufferPointer, parsedHead: HTTPRequestHead?) {
    let size = input.count
    let b = { (i: Int) -> Int in size > 0 ? Int(input[i % size]) : 0 }
    func text(_ from: Int, _ to: Int) -> String {
        let lo = min(from, size), hi = min(max(lo, to), size)
        return String(decoding: UnsafeRawBufferPointer(rebasing: input[lo..<hi]), as: UTF8.self)
    }

    var headers = HTTPHeaders()
    if let parsedHead { for field in parsedHead.headers { headers.add(field.name, field.value) } }
    // Raw slices of the input, CR, LF and NUL included.
    let q = size / 4
    headers.add(text(0, q), text(q, 2 * q))
    headers.add("X-Echo", text(2 * q, size))
    let extra = b(0) & 1 == 0 ? HTTPField(name: text(q, 3 * q), value: text(0, size)) : nil

    let code = 100 + (b(1) << 8 | b(2)) % 900
    let status = b(3) & 1 == 0 ? HTTPStatus(code: code) : HTTPStatus(code: code, reasonPhrase: text(3 * q, size))
    let framing: HTTPResponseFraming
    switch b(4) % 3 {
    case 0: framing = .contentLength(b(5) & 1 == 0 ? 0 : size)
    case 1: framing = .chunked
    default: framing = .closeDelimited
    }
    let keepAlive = b(6) & 1 == 0
    let version = b(7) & 1 == 0 ? HTTPVersion.http1_1 : HTTPVersion.http1_0

    // Dates from 1970 through 9999: always 29 bytes, "Sun, 06 Nov 1994 08:49:37 GMT".
    var seconds: Int64 = 0
    for i in 0..<5 { seconds = seconds << 8 | Int64(b(8 + i)) }
    seconds %= 253_402_300_800
    let date = Array(HTTPDate.imfFixdate(unixSeconds: seconds).utf8)
    invariant(date.count == 29 && date[3] == 0x2C && date[16] == 0x20 && date[19] == 0x3A && date[22] == 0x3A
                 && Array(date[25...]) == Array(" GMT".utf8), "bad date \(String(decoding: date, as: UTF8.self))")

    var out: [UInt8] = []
    HTTPResponseEncoder.writeHead(
        status: status, headers: headers, extra: extra, framing: framing, keepAlive: keepAlive, requestVersion: version,
        date: date, into: &out
    )

    // No CR or LF except as CRLF line ends, and exactly the expected lines: status, Date, Server, one per
    // field, the framing line, the Connection line, the empty line. An injected CRLF would add a line.
    var lineEnds: [Int] = []
    for i in 0..<out.count {
        if out[i] == cr {
            invariant(i + 1 < out.count && out[i + 1] == lf, "bare CR in response head")
            lineEnds.append(i)
        } else if out[i] == lf {
            invariant(i > 0 && out[i - 1] == cr, "bare LF in response head")
        }
        invariant(out[i] != 0, "NUL in response head")
    }
    var expected = 3 + headers.count + (extra == nil ? 0 : 1) + 1
    switch framing {
    case .contentLength(let length): if status.allowsBody || length > 0 { expected += 1 }
    case .chunked: expected += 1
    case .closeDelimited: break
    }
    if !keepAlive || version.minor == 0 { expected += 1 }
    invariant(lineEnds.count == expected, "response head has \(lineEnds.count) lines, expected \(expected)")
    // Only the last line is empty: the head cannot end early.
    invariant(lineEnds.last == out.count - 2 && lineEnds.dropLast().last == out.count - 4, "response head end")
    var lineStart = 0
    for end in lineEnds.dropLast() {
        invariant(end > lineStart, "empty line inside response head")
        lineStart = end + 2
    }
    invariant(out.starts(with: Array("HTTP/1.1 \(code) ".utf8)), "status line")
}

/// Chunks written by the encoder decode back to the same bytes.
func checkChunkRoundTrip(_ input: UnsafeRawBufferPointer) {
    let size = input.count
    var wire: [UInt8] = []
    var at = 0
    var piece = size > 0 ? Int(input[0]) % 7 + 1 : 1
    while at < size {
        let end = min(size, at + piece)
        HTTPResponseEncoder.writeChunk(UnsafeRawBufferPointer(rebasing: input[at..<end]), into: &wire)
        at = end
        piece = piece * 3 % 257 + 1
    }
    HTTPResponseEncoder.writeChunk(UnsafeRawBufferPointer(rebasing: input[0..<0]), into: &wire)  // writes nothing
    wire += HTTPResponseEncoder.lastChunk
    var decoder = HTTPBodyDecoder(framing: .chunked, limits: HTTPParserLimits(maxBodyBytes: size))
    var body: [UInt8] = []
    let result = decoder.decode(wire, into: &body)
    invariant(result == .complete(consumed: wire.count), "encoded chunks decode to \(result)")
    invariant(body.elementsEqual(input), "encoded chunks decode to other bytes")
}

// MARK: Server-Sent Events

func checkServerSentEvent(_ input: UnsafeRawBufferPointer) {
    let size = input.count
    let third = size / 3
    func slice(_ from: Int, _ to: Int) -> [UInt8] { Array(input[from..<to]) }
    let eventBytes = slice(0, third), idBytes = slice(third, 2 * third), dataBytes = slice(2 * third, size)
    let flags = size > 0 ? input[size / 2] : 0
    let event = flags & 1 == 0 ? String(decoding: eventBytes, as: UTF8.self) : nil
    let id = flags & 2 == 0 ? String(decoding: idBytes, as: UTF8.self) : nil
    let data = String(decoding: dataBytes, as: UTF8.self)

    let out = ServerSentEvent(event: event, data: data, id: id).encoded()
    invariant(!out.contains(cr), "CR in an encoded event")
    invariant(out.count >= 2 && out[out.count - 1] == lf && out[out.count - 2] == lf, "event not ended by an empty line")
    var lines = out.dropLast().split(separator: lf, omittingEmptySubsequences: false).map { Array($0) }
    invariant(lines.last == [], "last line unterminated")
    lines.removeLast()

    func singleLine(_ text: String) -> [UInt8] { text.utf8.map { $0 == cr || $0 == lf ? 0x20 : $0 } }
    if let event {
        invariant(lines.first == Array("event: ".utf8) + singleLine(event), "event line")
        lines.removeFirst()
    }
    if let id {
        invariant(lines.first == Array("id: ".utf8) + singleLine(id), "id line")
        lines.removeFirst()
    }
    // CRLF, CR and LF each end a data line.
    var expectedData: [[UInt8]] = [[]]
    let utf8 = Array(data.utf8)
    var i = 0
    while i < utf8.count {
        if utf8[i] == cr || utf8[i] == lf {
            if utf8[i] == cr && i + 1 < utf8.count && utf8[i + 1] == lf { i += 1 }
            expectedData.append([])
        } else {
            expectedData[expectedData.count - 1].append(utf8[i])
        }
        i += 1
    }
    invariant(lines == expectedData.map { Array("data: ".utf8) + $0 }, "data lines")

    let comment = ServerSentEvent.comment(data)
    invariant(comment.starts(with: Array(": ".utf8)) && comment.filter { $0 == lf }.count == 2
                 && comment.suffix(2) == [lf, lf] && !comment.contains(cr), "comment")
}
