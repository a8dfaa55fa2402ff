/// Checks a task's `callback_url` before it is accepted: the only URLs agentd will POST a task's result to.
///
/// A pure function of the text. It accepts an absolute `http` or `https` URL (RFC 3986 §3) with a host, an
/// optional port and anything after it; it refuses other schemes (`file:`, `ftp:`, `javascript:` …), userinfo
/// (credentials in a URL end up in logs and proxies; a receiver that wants a secret gets the signature), spaces
/// and control characters (curl would see another URL than the one checked) and text over `maxLength`. Hosts
/// are checked for characters a host name cannot hold, so that parsers that read `\` as `/` cannot be led to
/// another host than this check saw. It never resolves the host: blocking private addresses is a network policy,
/// not a syntax check.
public enum CallbackURL {
    /// The longest accepted URL, in UTF-8 bytes.
    public static let maxLength = 2_048

    private static let allowedSchemes: Set<String> = ["http", "https"]

    /// Nil when `text` is an acceptable callback URL, else the problem in a sentence for a 400's message.
    public static func validate(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "the URL is empty" }
        if bytes.count > maxLength { return "the URL is longer than \(maxLength) bytes" }
        if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7f }) { return "the URL contains a space or a control character" }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return "the URL has no scheme (http:// or https://)" }
        let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        guard allowedSchemes.contains(scheme) else {
            return "the scheme must be http or https, not \"\(scheme.prefix(16))\""
        }
        let rest = bytes[(colon + 1)...]
        guard rest.starts(with: "//".utf8) else { return "the URL must be absolute: \(scheme):// and a host" }
        let authorityStart = rest.startIndex + 2
        let authorityEnd = rest[authorityStart...].firstIndex { byte in
            byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
        } ?? rest.endIndex
        return problem(inAuthority: rest[authorityStart..<authorityEnd])
    }

    /// RFC 3986 §3.2: `host [ ":" port ]` here, since userinfo is refused.
    private static func problem(inAuthority authority: ArraySlice<UInt8>) -> String? {
        if authority.contains(UInt8(ascii: "@")) { return "the URL must not contain credentials (user:password@)" }
        let host: ArraySlice<UInt8>
        let afterHost: ArraySlice<UInt8>
        if authority.first == UInt8(ascii: "[") {
            // An IP-literal (§3.2.2): brackets around an IPv6 address.
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return "the IPv6 host has no closing ]" }
            host = authority[(authority.startIndex + 1)..<close]
            afterHost = authority[(close + 1)...]
            if host.isEmpty || !host.allSatisfy(isIPv6LiteralByte) { return "the IPv6 host is not an IPv6 address" }
        } else {
            let colon = authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
            host = authority[..<colon]
            afterHost = authority[colon...]
            if host.isEmpty { return "the URL has no host" }
            if !host.allSatisfy(isHostNameByte) { return "the host contains a character a host name cannot hold" }
        }
        if afterHost.isEmpty { return nil }
        guard afterHost.first == UInt8(ascii: ":") else { return "the host is followed by something other than a port" }
        return problem(inPort: afterHost.dropFirst())
    }

    /// §3.2.3: digits; empty means the scheme's default. Zero and values over 65535 cannot be connected to.
    private static func problem(inPort port: ArraySlice<UInt8>) -> String? {
        if port.isEmpty { return nil }
        guard port.count <= 5, port.allSatisfy(isDigit), let number = Int(String(decoding: port, as: UTF8.self)),
            (1...65_535).contains(number)
        else { return "the port is not a number from 1 to 65535" }
        return nil
    }

    /// A reg-name's unreserved and percent-encoded bytes (§3.2.2), plus UTF-8 for internationalized names;
    /// sub-delimiters are left out, as no resolvable host name holds them.
    private static func isHostNameByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || isLetter(byte) || byte >= 0x80
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "%")
    }

    /// Hex digits, colons and dots (an embedded IPv4 address).
    private static func isIPv6LiteralByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) }
}
