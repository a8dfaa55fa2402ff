/// Where Redis is and how to log in: `AGENTD_REDIS_URL`, `redis://[[user]:password@]host[:port][/db]` or
/// `rediss://…` for TLS (the scheme IANA registered for Redis, and what every client library accepts).
///
/// A plain value, parsed once at start; `description` never shows the password. Percent-escapes are decoded
/// in the user and the password (a password with `@` or `/` must be written `%40`, `%2F`), as RFC 3986 says.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public static let defaultPort = 6379
    /// Redis has 16 databases unless configured otherwise; a larger index is refused by the server itself.
    public static let maxDatabase = 1 << 20

    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var database: Int
    public var usesTLS: Bool

    public init(host: String, port: Int = RedisURL.defaultPort, user: String? = nil, password: String? = nil, database: Int = 0, usesTLS: Bool = false) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.usesTLS = usesTLS
    }

    /// Why a URL was refused, in words for the configuration error line.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(parsing text: String) throws(ParseError) {
        var rest = Substring(text)
        if rest.hasPrefix("redis://") {
            usesTLS = false
            rest = rest.dropFirst("redis://".count)
        } else if rest.hasPrefix("rediss://") {
            usesTLS = true
            rest = rest.dropFirst("rediss://".count)
        } else {
            throw ParseError(description: "the scheme must be redis:// or rediss://")
        }
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            guard rest[query...].count <= 1 else { throw ParseError(description: "query and fragment are not supported") }
            rest = rest[..<query]
        }
        var authority = rest
        database = 0
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard path.allSatisfy(\.isASCIIDigit), let number = Int(path), number <= RedisURL.maxDatabase else {
                    throw ParseError(description: "the database after / must be a number from 0 to \(RedisURL.maxDatabase)")
                }
                database = number
            }
        }
        user = nil
        password = nil
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let name = try RedisURL.percentDecoded(credentials[..<colon])
                user = name.isEmpty ? nil : name
                password = try RedisURL.percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                // redis://secret@host: a lone credential is the password (the default user's), as redis-cli reads it.
                password = try RedisURL.percentDecoded(credentials)
            }
        }
        (host, port) = try RedisURL.hostAndPort(authority)
    }

    private static func hostAndPort(_ authority: Substring) throws(ParseError) -> (String, Int) {
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError(description: "an IPv6 host needs its closing ]") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw ParseError(description: "unexpected text after the IPv6 host") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw ParseError(description: "the host is missing") }
        guard hostPart.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "@") }) else {
            throw ParseError(description: "the host has characters a host name cannot have")
        }
        var port = RedisURL.defaultPort
        if let portPart {
            guard !portPart.isEmpty, portPart.allSatisfy(\.isASCIIDigit), let number = Int(portPart), (1...65535).contains(number) else {
                throw ParseError(description: "the port must be a number from 1 to 65535")
            }
            port = number
        }
        return (String(hostPart), port)
    }

    private static func percentDecoded(_ text: Substring) throws(ParseError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw ParseError(description: "a % in the user or password must be followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The URL with the password replaced, for logs and `agentd config`.
    public var description: String {
        var text = usesTLS ? "rediss://" : "redis://"
        if user != nil || password != nil {
            text += user ?? ""
            if password != nil { text += ":<redacted>" }
            text += "@"
        }
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)"
        if database != 0 { text += "/\(database)" }
        return text
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
