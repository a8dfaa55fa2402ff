import Glibc

/// Whether text is an IPv4 or IPv6 literal, as inet_pton reads them.
enum IPAddressText {
    static func isLiteral(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    static func isLoopback(_ text: String) -> Bool {
        text == "::1" || text.hasPrefix("127.")
    }
}
