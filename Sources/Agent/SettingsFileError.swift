import JSON

/// Which settings file a `SettingsFileError` is about: its name in the message.
public protocol SettingsFileKind: Sendable {
    static var label: String { get }
}

/// `AGENTD_AGENTS_FILE`: the agent profiles.
public enum AgentsFile: SettingsFileKind {
    public static let label = "agents file"
}

/// `AGENTD_PRICES_FILE`: the price table.
public enum PricesFile: SettingsFileKind {
    public static let label = "prices file"
}

/// Why a settings file was refused: the file (when one was read) and the first problem found in it.
///
/// The server refuses to start on one (nothing starts half-configured; docs/configuration.md), so the message
/// names the entry and the field, the value's problem and the accepted form, in one line for stderr.
public struct SettingsFileError<Kind: SettingsFileKind>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file read, when the settings came from a path rather than bytes.
    public var path: String?
    /// The problem, e.g. `agent "support": temperature must be a number from 0 to 2`.
    public let message: String

    public init(path: String? = nil, message: String) {
        self.path = path
        self.message = message
    }

    /// `agents file /etc/agentd/agents.json: agent "support": temperature must be a number from 0 to 2`.
    public var description: String {
        if let path { return "\(Kind.label) \(path): \(message)" }
        return "\(Kind.label): \(message)"
    }
}

/// An agents file's refusal (`AgentCatalog.load`).
public typealias AgentCatalogError = SettingsFileError<AgentsFile>
/// A prices file's refusal (`PriceTable.load`).
public typealias PriceTableError = SettingsFileError<PricesFile>

extension SettingsFileError {
    /// The file's top-level object, or the error a settings file gets when it is not JSON or not an object
    /// (`shape`: what the top level should look like, with an example).
    static func topLevelObject(of bytes: [UInt8], shape: String) throws(Self) -> JSONObject {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw Self(message: "not valid JSON: \(error)")
        }
        guard let object = document.objectValue else { throw Self(message: "the top level must be \(shape)") }
        return object
    }
}
