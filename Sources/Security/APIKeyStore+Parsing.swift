extension APIKeyStore {
    /// What precedes the hex digest of a key in `AGENTD_API_KEYS_FILE`.
    public static let hashPrefix = "sha256:"

    /// The keys of `AGENTD_API_KEYS`: a comma-separated list, spaces and tabs around each key ignored, empty
    /// entries dropped (a trailing comma is not an empty key).
    public static func parsePlainKeys(_ commaList: String) -> [String] {
        commaList.utf8.split(separator: UInt8(ascii: ","))
            .map { entry in String(decoding: trimmingBlanks(entry), as: UTF8.self) }
            .filter { !$0.isEmpty }
    }

    /// The keys of `AGENTD_API_KEYS_FILE`: one `name sha256:<64 hex digits>` a line, fields separated by spaces
    /// or tabs; blank lines and lines starting with `#` are skipped; CRLF line ends are accepted.
    ///
    /// Throws at the first other line, naming its number and the problem, never its text (`APIKeyStoreError`).
    /// Names are 1 to `maxNameLength` of `A-Z a-z 0-9 . _ -`, because they go into logs and metric labels, and
    /// unique within the file.
    public static func parseFile(_ text: String) throws(APIKeyStoreError) -> [(name: String, hash: [UInt8])] {
        var keys: [(name: String, hash: [UInt8])] = []
        var lineNumberByName: [String: Int] = [:]
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (offset, line) in lines.enumerated() {
            let lineNumber = offset + 1
            let fields = line.split(whereSeparator: isBlank)
            guard let first = fields.first, first.first != UInt8(ascii: "#") else { continue }
            func fail(_ problem: APIKeyStoreError.Problem) -> APIKeyStoreError {
                APIKeyStoreError(lineNumber: lineNumber, problem: problem)
            }
            if first.starts(with: hashPrefix.utf8) { throw fail(.missingName) }
            guard isValidName(first) else { throw fail(.invalidName) }
            guard fields.count >= 2 else { throw fail(.missingHash) }
            let name = String(decoding: first, as: UTF8.self)
            guard fields.count == 2 else { throw fail(.extraFields(name: name)) }
            let hashField = fields[1]
            guard hashField.starts(with: hashPrefix.utf8) else { throw fail(.wrongPrefix(name: name)) }
            let hexDigits = Substring(hashField.dropFirst(hashPrefix.utf8.count))
            guard let hash = SHA256.digest(hex: hexDigits) else {
                throw fail(.invalidHex(name: name, length: hexDigits.count))
            }
            if let firstLineNumber = lineNumberByName[name] {
                throw fail(.duplicateName(name: name, firstLineNumber: firstLineNumber))
            }
            lineNumberByName[name] = lineNumber
            keys.append((name: name, hash: hash))
        }
        return keys
    }

    static func isValidName(_ name: some Collection<UInt8>) -> Bool {
        guard !name.isEmpty, name.count <= maxNameLength else { return false }
        return name.allSatisfy { character in
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    /// Space, tab, and the CR of a CRLF line end.
    static func isBlank(_ character: UInt8) -> Bool {
        character == UInt8(ascii: " ") || character == UInt8(ascii: "\t") || character == UInt8(ascii: "\r")
    }

    static func trimmingBlanks<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bytes.SubSequence {
        guard let start = bytes.firstIndex(where: { !isBlank($0) }),
              let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return bytes[bytes.endIndex...] }
        return bytes[start...last]
    }
}
