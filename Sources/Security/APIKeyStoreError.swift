/// A line of `AGENTD_API_KEYS_FILE` that is not `name sha256:<64 hex digits>`, a comment or blank.
///
/// Names the line by number and says what is wrong with it, and never carries the line's text: a line that is
/// wrong may hold a plain key pasted in by mistake. The only text taken from the line is its first field, when
/// it is valid as a name and followed by a second field, so plainly meant as a name.
public struct APIKeyStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// The line has a `sha256:` field but no name before it.
        case missingName
        /// The first field is not a name of 1 to `APIKeyStore.maxNameLength` letters, digits, `.`, `_` or `-`.
        case invalidName
        /// A single field: not named in the message, because a lone field is as likely a plain key pasted in.
        case missingHash
        /// The second field does not start with `sha256:`.
        case wrongPrefix(name: String)
        /// The hash is not 64 hex digits; `length` is how many characters it has.
        case invalidHex(name: String, length: Int)
        /// More than two fields.
        case extraFields(name: String)
        /// The name was already used on line `firstLineNumber`.
        case duplicateName(name: String, firstLineNumber: Int)
    }

    /// The line's number, counting from 1.
    public let lineNumber: Int
    public let problem: Problem

    public init(lineNumber: Int, problem: Problem) {
        self.lineNumber = lineNumber
        self.problem = problem
    }

    public var description: String {
        let expected = "expected `name sha256:<64 hex digits>`"
        let explanation = switch problem {
        case .missingName: "the key has no name; \(expected)"
        case .invalidName:
            "the first field is not a name (1 to \(APIKeyStore.maxNameLength) letters, digits, '.', '_' or '-'); \(expected)"
        case .missingHash: "a single field, with no hash; \(expected)"
        case .wrongPrefix(let name): "the hash of key \(name) does not start with `sha256:`; \(expected)"
        case .invalidHex(let name, let length):
            "the hash of key \(name) is not 64 hex digits (\(length) characters); \(expected)"
        case .extraFields(let name): "key \(name) has more than two fields; \(expected)"
        case .duplicateName(let name, let firstLineNumber): "key \(name) is already named on line \(firstLineNumber)"
        }
        return "API keys file, line \(lineNumber): \(explanation)"
    }
}
