/// Why a prices file was refused: the file (when one was read) and the first problem found in it.
///
/// The server refuses to start on one (nothing starts half-configured), so the message names the entry and
/// the field, the problem and the accepted form, in one line for stderr.
public struct PriceTableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file read, when the table came from `PriceTable.load(path:)` (`AGENTD_PRICES_FILE`).
    public var path: String?
    /// The problem, e.g. `entry "openai:gpt-4o": input_per_million must not be negative`.
    public let message: String

    public init(path: String? = nil, message: String) {
        self.path = path
        self.message = message
    }

    /// `prices file /etc/agentd/prices.json: entry "openai:gpt-4o": input_per_million must not be negative`.
    public var description: String {
        if let path { return "prices file \(path): \(message)" }
        return "prices file: \(message)"
    }
}
