import Agent
import LLM
import Logging
import Resilience
import Tracing

/// Every MCP server the agent profiles name, one connection each (shared by agents that name the same server
/// at the same URL), and the tools each agent has now: its own `http` tools, then its servers' tools as last
/// listed (a name already taken is skipped, with a warning once per listing).
///
/// Owner: none; immutable after start, the connections guard their own state.
public final class MCPToolbox: AgentToolSource {
    /// Connections by `name NUL url`.
    private let connections: [String: MCPServerConnection]
    private let logger: Logger

    public init(catalog: AgentCatalog, engines: TransferEnginePool, logger: Logger, tracer: Tracer? = nil, clock: any TimeSource = SystemClock()) {
        var connections: [String: MCPServerConnection] = [:]
        for name in catalog.names {
            for server in catalog.profile(named: name)?.mcpServers ?? [] where connections[MCPToolbox.key(server)] == nil {
                connections[MCPToolbox.key(server)] = MCPServerConnection(settings: server, engines: engines, logger: logger, tracer: tracer, clock: clock)
            }
        }
        self.connections = connections
        self.logger = logger
    }

    /// The connection of `server`: agents that name the same server at the same URL share it.
    static func key(_ server: MCPServerSettings) -> String { server.name + "\u{0}" + server.url }

    public func start() { for connection in connections.values { connection.start() } }
    public func stop() { for connection in connections.values { connection.stop() } }

    /// The servers for `/health`, by name.
    public var servers: [MCPServerConnection] { connections.values.sorted { $0.settings.name < $1.settings.name } }

    public func tools(for agent: AgentProfile) -> [AgentTool] {
        var tools = agent.tools
        var names = Set(tools.map(\.name))
        for server in agent.mcpServers {
            guard let connection = connections[MCPToolbox.key(server)] else { continue }
            for tool in connection.tools where names.insert(tool.name).inserted {
                tools.append(tool)
            }
        }
        return tools
    }

    /// Calls `tool`, an `mcp` tool listed by the connection `server` (its `key`).
    public func call(
        _ tool: AgentTool, server: String, arguments: [UInt8], context: ToolCallContext,
        completion: @escaping @Sendable (ToolCallResult) -> Void
    ) -> ToolCallHandle {
        guard let connection = connections[server] else {
            completion(ToolCallResult(outcome: .error, content: "error: the tool's MCP server is not configured"))
            return ToolCallHandle {}
        }
        return connection.call(tool.name, arguments: arguments, context: context, completion: completion)
    }
}
