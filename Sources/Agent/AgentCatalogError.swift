/// Why an agents file was refused: the file (when one was read) and the first problem found in it.
///
/// The server refuses to start on one (the contract: nothing starts half-configured), so the message names
/// the agent and the field, the value's problem and the accepted form, in one line for stderr.
public struct AgentCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file read, when the catalog came from `AgentCatalog.load(path:maxTokensLimit:)`.
    public var path: String?
    /// The problem, e.g. `agent "support": temperature must be a number from 0 to 2`.
    public let message: String

    public init(path: String? = nil, message: String) {
        self.path = path
        self.message = message
    }

    /// `agents file /etc/agentd/agents.json: agent "support": temperature must be a number from 0 to 2`.
    public var description: String {
        if let path { return "agents file \(path): \(message)" }
        return "agents file: \(message)"
    }
}
