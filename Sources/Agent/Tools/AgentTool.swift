import JSON

/// A tool an agent profile gives its agent, which agentd itself runs (README.md, API, "Agents that act").
///
/// A value, built once from the agents file. `headers` hold values with `${VAR}` already read from the
/// environment: they may be secrets, so `publicJSON` (what `GET /agents` shows) has only the name and the
/// description, and `description`-like conversions never print them.
public struct AgentTool: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// POST the arguments as JSON to `url`; the response body is the result.
        case http(url: String, headers: [HTTPToolHeader], timeoutMs: Int)
        /// A tool of an MCP server in the agent's `mcp_servers` (listed at run time); `server` identifies its
        /// connection (`MCPToolbox.key`).
        case mcp(server: String)
    }

    /// `^[A-Za-z0-9_-]{1,64}$`: what OpenAI and Anthropic accept as a function name.
    public let name: String
    public let description: String?
    /// The JSON Schema of the arguments, an object schema (`JSONSchema.problem(inSchema:)` checked it).
    public let parameters: JSONValue
    public let kind: Kind

    public static let defaultTimeoutMs = 10_000
    public static let maxTimeoutMs = 600_000

    public init(name: String, description: String?, parameters: JSONValue, kind: Kind) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.kind = kind
    }

    /// The tool as a model sees it: OpenAI's `{"type":"function","function":{name, description, parameters}}`
    /// (the providers translate it for Anthropic).
    public var functionJSON: JSONValue {
        var function: [(key: String, value: JSONValue)] = [("name", .string(name))]
        if let description { function.append(("description", .string(description))) }
        function.append(("parameters", parameters))
        return .object(JSONObject([("type", "function"), ("function", .object(JSONObject(function)))]))
    }

    /// What `GET /agents` shows: the name, the description and the kind; never a URL or a header.
    public var publicJSON: JSONValue {
        let kindName: String
        switch kind {
        case .http: kindName = "http"
        case .mcp: kindName = "mcp"
        }
        return .object(JSONObject([("name", .string(name)), ("description", description.map(JSONValue.string) ?? .null), ("type", .string(kindName))]))
    }

    /// Whether `name` may name a tool.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}

/// One header an HTTP tool sends. `CustomStringConvertible` hides the value: it may hold a token.
public struct HTTPToolHeader: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name): <redacted>" }
}

/// An MCP server an agent profile uses (README.md, API, "Agents that act", `mcp_servers`). Headers may hold secrets.
public struct MCPServerSettings: Sendable, Equatable {
    public let name: String
    public let url: String
    public let headers: [HTTPToolHeader]
    /// Only these of the server's tools, when given.
    public let allowedTools: [String]?
    public let timeoutMs: Int

    public init(name: String, url: String, headers: [HTTPToolHeader], allowedTools: [String]?, timeoutMs: Int) {
        self.name = name
        self.url = url
        self.headers = headers
        self.allowedTools = allowedTools
        self.timeoutMs = timeoutMs
    }
}

/// Where an agent's tools come from when some are listed at run time (MCP servers): the loop asks at the
/// start of each run.
public protocol AgentToolSource: Sendable {
    func tools(for agent: AgentProfile) -> [AgentTool]
}
