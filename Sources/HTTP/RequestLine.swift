/// request-line = method SP request-target SP HTTP-version (RFC 9112 §3), split and checked.
struct RequestLine: Sendable, Equatable {
    var method: HTTPMethod
    var target: String
    var path: String
    var query: String?
    var version: HTTPVersion

    static func parse(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Result<RequestLine, HTTPParseError> {
        var index = start
        while index < end && ASCII.isToken(bytes[index]) { index += 1 }
        guard index > start, index < end, bytes[index] == ASCII.space else {
            return .failure(.malformed("invalid method in request line"))
        }
        let method = HTTPMethod(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        let targetStart = index + 1
        index = targetStart
        while index < end && ASCII.isVisible(bytes[index]) { index += 1 }
        guard index > targetStart, index < end, bytes[index] == ASCII.space else {
            return .failure(.malformed("invalid request target"))
        }
        let targetEnd = index
        guard let version = parseVersion(bytes, from: index + 1, to: end) else {
            return .failure(.malformed("invalid protocol version in request line"))
        }
        guard version.major == 1 else { return .failure(.unsupportedVersion(version)) }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<targetEnd]), as: UTF8.self)
        guard let (path, query) = splitTarget(target, method: method) else {
            return .failure(.malformed("invalid request target"))
        }
        return .success(RequestLine(method: method, target: target, path: path, query: query, version: version))
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT, and nothing after it.
    private static func parseVersion(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> HTTPVersion? {
        guard end - start == 8 else { return nil }
        // "HTTP/"
        guard bytes[start] == 0x48, bytes[start + 1] == 0x54, bytes[start + 2] == 0x54, bytes[start + 3] == 0x50,
            bytes[start + 4] == ASCII.slash
        else { return nil }
        let major = bytes[start + 5], dot = bytes[start + 6], minor = bytes[start + 7]
        guard ASCII.isDigit(major), dot == ASCII.dot, ASCII.isDigit(minor) else { return nil }
        return HTTPVersion(major: Int(major - ASCII.zero), minor: Int(minor - ASCII.zero))
    }

    /// The four request-target forms of RFC 9112 §3.2, each only where it belongs. Returns (path, query).
    static func splitTarget(_ target: String, method: HTTPMethod) -> (String, String?)? {
        let utf8 = target.utf8
        guard let first = utf8.first, !utf8.contains(UInt8(ascii: "#")) else { return nil }
        if first == ASCII.slash {
            // CONNECT takes only authority-form (RFC 9112 §3.2.3); an origin-form target is not its own.
            return method == .connect ? nil : splitQuery(target)
        }
        if target == "*" {
            return method == .options ? ("*", nil) : nil
        }
        if method == .connect {
            // authority-form: host ":" port.
            return utf8.contains(ASCII.colon) && !utf8.contains(ASCII.slash) ? (target, nil) : nil
        }
        // absolute-form: http(s)://authority[path-abempty]["?" query]
        guard let colon = target.firstIndex(of: ":"), target[colon...].hasPrefix("://") else { return nil }
        let scheme = target[target.startIndex..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = target[target.index(colon, offsetBy: 3)...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        guard authorityEnd > rest.startIndex, !rest[rest.startIndex..<authorityEnd].contains("@") else { return nil }
        let remainder = rest[authorityEnd...]
        if remainder.isEmpty { return ("/", nil) }
        if remainder.first == "?" { return ("/", String(remainder.dropFirst())) }
        return splitQuery(String(remainder))
    }

    /// Splits at the first "?", working on UTF-8 (a Character search would run grapheme breaking).
    private static func splitQuery(_ target: String) -> (String, String?) {
        let utf8 = target.utf8
        guard let mark = utf8.firstIndex(of: ASCII.questionMark) else { return (target, nil) }
        return (String(utf8[utf8.startIndex..<mark])!, String(utf8[utf8.index(after: mark)...])!)
    }
}

/// The path of a request whose head could not be used (its body is over the limit, say), so the error
/// answering it can be worded by the API the path belongs to.
public enum RequestPath {
    /// The path of the request line at the start of `bytes`, when that line is whole and valid.
    public static func atStart(of bytes: UnsafeRawBufferPointer) -> String? {
        let limit = min(bytes.count, 8192)
        var end = 0
        while end < limit && bytes[end] != ASCII.lf { end += 1 }
        guard end < limit else { return nil }
        let lineEnd = end > 0 && bytes[end - 1] == ASCII.cr ? end - 1 : end
        guard case .success(let line) = RequestLine.parse(bytes, from: 0, to: lineEnd) else { return nil }
        return line.path
    }
}
