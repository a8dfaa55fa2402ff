extension APIKeyStore {
    /// The key a request presents: `Authorization: Bearer <key>` (RFC 6750 §2.1), else `X-API-Key: <key>`.
    ///
    /// The scheme is matched case-insensitively (RFC 9110 §11.1) and may be followed by one space or more.
    /// Another scheme (`Basic …`) presents no key through `Authorization`, so `X-API-Key` is then consulted.
    /// Blanks around a value are ignored; a value that is empty or holds a blank inside presents nothing.
    /// Never logs, and the key it returns must not be logged either: log the `APIKeyIdentity`.
    public static func presentedKey(authorization: String?, apiKeyHeader: String?) -> String? {
        if let authorization, let token = bearerToken(authorization) { return token }
        if let apiKeyHeader, let key = singleToken(apiKeyHeader.utf8[...]) { return key }
        return nil
    }

    /// The authentication scheme of RFC 6750, compared in lowercase.
    static let bearerScheme = Array("bearer".utf8)

    private static func bearerToken(_ field: String) -> String? {
        let value = trimmingBlanks(field.utf8[...])
        guard value.count > bearerScheme.count else { return nil }
        let schemeEnd = value.index(value.startIndex, offsetBy: bearerScheme.count)
        let scheme = value[..<schemeEnd]
        guard scheme.elementsEqual(bearerScheme, by: { lowercased($0) == $1 }) else { return nil }
        let afterScheme = value[schemeEnd...]
        guard afterScheme.first == UInt8(ascii: " ") else { return nil }
        return singleToken(afterScheme)
    }

    private static func singleToken(_ value: Substring.UTF8View) -> String? {
        let token = trimmingBlanks(value)
        guard !token.isEmpty, !token.contains(where: isBlank) else { return nil }
        return String(Substring(token))
    }

    private static func lowercased(_ character: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(character) ? character | 0x20 : character
    }
}
