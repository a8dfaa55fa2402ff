import Agent
import MCP

/// Runs any agent tool: `http` ones itself, `mcp` ones on their server (`MCPToolbox`). Owner: none; immutable.
struct AgentToolRunner: ToolRunning {
    let http: HTTPToolRunner
    let mcp: MCPToolbox?

    func run(
        _ tool: AgentTool, arguments: [UInt8], context: ToolCallContext, completion: @escaping @Sendable (ToolCallResult) -> Void
    ) -> ToolCallHandle {
        switch tool.kind {
        case .http:
            return http.run(tool, arguments: arguments, context: context, completion: completion)
        case .mcp(let server):
            guard let mcp else {
                completion(ToolCallResult(outcome: .error, content: "error: MCP servers are not configured"))
                return ToolCallHandle {}
            }
            return mcp.call(tool, server: server, arguments: arguments, context: context, completion: completion)
        }
    }
}
