/// Writes response heads and chunked framing into a byte buffer (RFC 9112 §4, §6, §7.1).
///
/// Pure: the caller supplies the Date bytes (cached once a second by the server) and owns the buffer.
/// Field values are written with CR, LF and NUL replaced by spaces, so no value can split a response.
public enum HTTPResponseEncoder {
    /// `extra` is one more field written after `headers`, so a caller adding a field per response (the
    /// server's request id) need not copy the header array.
    public static func writeHead(
        status: HTTPStatus, headers: HTTPHeaders, extra: HTTPField? = nil, framing: HTTPResponseFraming,
        keepAlive: Bool, requestVersion: HTTPVersion, date: [UInt8], into out: inout [UInt8]
    ) {
        appendStatusLine(status, into: &out)
        out.append(contentsOf: datePrefix)
        out.append(contentsOf: date)
        out.append(contentsOf: crlf)
        out.append(contentsOf: serverLine)
        for field in headers { appendField(field, into: &out) }
        if let extra { appendField(extra, into: &out) }
        switch framing {
        case .contentLength(let length):
            if status.allowsBody || length > 0 {
                out.append(contentsOf: contentLengthPrefix)
                appendDecimal(length, into: &out)
                out.append(contentsOf: crlf)
            }
        case .chunked:
            out.append(contentsOf: chunkedLine)
        case .closeDelimited:
            break
        }
        if !keepAlive {
            out.append(contentsOf: connectionClose)
        } else if requestVersion.minor == 0 {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(contentsOf: crlf)
    }

    /// One chunk: size in hex, CRLF, data, CRLF. An empty chunk would end the body, so none is written.
    public static func writeChunk(_ data: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard !data.isEmpty else { return }
        // One allocation for the whole chunk when `out` starts empty (a stream's buffer between events).
        out.reserveCapacity(out.count + data.count + 20)
        appendHex(data.count, into: &out)
        out.append(contentsOf: crlf)
        out.append(contentsOf: data)
        out.append(contentsOf: crlf)
    }

    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static let crlf: [UInt8] = [ASCII.cr, ASCII.lf]
    static let colonSpace: [UInt8] = [ASCII.colon, ASCII.space]
    static let datePrefix: [UInt8] = Array("Date: ".utf8)
    static let serverLine: [UInt8] = Array("Server: agentd\r\n".utf8)
    static let contentLengthPrefix: [UInt8] = Array("Content-Length: ".utf8)
    static let chunkedLine: [UInt8] = Array("Transfer-Encoding: chunked\r\n".utf8)
    static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
    static let connectionKeepAlive: [UInt8] = Array("Connection: keep-alive\r\n".utf8)

    /// Status lines rendered once for every standard code, indexed by code.
    static let statusLines: [(reason: String, line: [UInt8])?] = (0..<600).map { code in
        HTTPStatus.standardReasons[code].map { ($0, Array("HTTP/1.1 \(code) \($0)\r\n".utf8)) }
    }

    static func appendStatusLine(_ status: HTTPStatus, into out: inout [UInt8]) {
        if status.code < statusLines.count, let known = statusLines[status.code], known.reason == status.reasonPhrase {
            out.append(contentsOf: known.line)
            return
        }
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, into: &out)
        out.append(ASCII.space)
        appendSanitized(status.reasonPhrase, into: &out)
        out.append(contentsOf: crlf)
    }

    static func appendField(_ field: HTTPField, into out: inout [UInt8]) {
        appendSanitized(field.name, into: &out)
        out.append(contentsOf: colonSpace)
        appendSanitized(field.value, into: &out)
        out.append(contentsOf: crlf)
    }

    /// Appends text, with CR, LF and NUL turned into spaces; clean text (nearly all) is copied in bulk.
    static func appendSanitized(_ text: String, into out: inout [UInt8]) {
        let utf8 = text.utf8
        let clean = utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte == ASCII.cr || byte == ASCII.lf || byte == 0 { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if clean == true { return }
        for byte in utf8 {
            out.append(byte == ASCII.cr || byte == ASCII.lf || byte == 0 ? ASCII.space : byte)
        }
    }

    static func appendDecimal(_ value: Int, into out: inout [UInt8]) {
        precondition(value >= 0, "lengths are not negative")
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(ASCII.zero + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    static func appendHex(_ value: Int, into out: inout [UInt8]) {
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        if shift < 0 { shift = 0 }
        while shift >= 0 {
            out.append(hexDigits[(value >> shift) & 0xF])
            shift -= 4
        }
    }
}
