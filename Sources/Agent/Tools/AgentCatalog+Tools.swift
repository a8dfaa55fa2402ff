import HTTP
import JSON

/// The agents file's tool fields (README.md, API, "Agents that act"): `tools`, `max_steps`, `keys`, strictly
/// validated at start, each refusal naming the agent, the field and the problem.
extension AgentCatalog {
    static let toolFields = ["type", "name", "description", "parameters", "url", "headers", "timeout_ms"]

    static func decodeTools(_ profile: inout AgentProfile, _ object: JSONObject, environment: [String: String]) throws(AgentCatalogError) {
        let agent = "agent \"\(profile.name)\""
        if let value = object["max_steps"], !value.isNull {
            guard let steps = value.intValue, (1...AgentProfile.maxMaxSteps).contains(steps) else {
                throw AgentCatalogError(message: "\(agent): max_steps must be a whole number from 1 to \(AgentProfile.maxMaxSteps)")
            }
            profile.maxSteps = steps
        }
        if let value = object["keys"], !value.isNull {
            guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count, !names.isEmpty,
                names.allSatisfy({ !$0.isEmpty })
            else {
                throw AgentCatalogError(message: "\(agent): keys must be a non-empty array of API key names (from AGENTD_API_KEYS_FILE)")
            }
            profile.keys = names
        }
        var seen: Set<String> = []
        if let value = object["tools"], !value.isNull {
            guard let elements = value.arrayValue else {
                throw AgentCatalogError(message: "\(agent): tools must be an array of tool objects")
            }
            for (index, element) in elements.enumerated() {
                let tool = try decodeTool(element, at: "\(agent): tools[\(index)]", environment: environment)
                guard seen.insert(tool.name).inserted else {
                    throw AgentCatalogError(message: "\(agent): tools[\(index)]: the name \"\(tool.name)\" is used twice; tool names must be unique")
                }
                profile.tools.append(tool)
            }
        }
        if let value = object["mcp_servers"], !value.isNull {
            guard let elements = value.arrayValue else {
                throw AgentCatalogError(message: "\(agent): mcp_servers must be an array of server objects")
            }
            var servers: Set<String> = []
            for (index, element) in elements.enumerated() {
                let server = try decodeServer(element, at: "\(agent): mcp_servers[\(index)]", environment: environment)
                guard servers.insert(server.name).inserted else {
                    throw AgentCatalogError(message: "\(agent): mcp_servers[\(index)]: the name \"\(server.name)\" is used twice")
                }
                for tool in server.allowedTools ?? [] where !seen.insert(tool).inserted {
                    throw AgentCatalogError(
                        message: "\(agent): mcp_servers[\(index)] (\(server.name)): allowed_tools: the tool name \"\(tool)\" is used twice; tool names must be unique"
                    )
                }
                profile.mcpServers.append(server)
            }
        }
    }

    static let serverFields = ["name", "url", "headers", "allowed_tools", "timeout_ms"]

    private static func decodeServer(_ value: JSONValue, at place: String, environment: [String: String]) throws(AgentCatalogError) -> MCPServerSettings {
        guard let fields = value.objectValue else { throw AgentCatalogError(message: "\(place): must be an object") }
        for key in fields.keys where !serverFields.contains(key) {
            throw AgentCatalogError(message: "\(place): unknown field \"\(key)\"; known fields are \(serverFields.joined(separator: ", "))")
        }
        guard let name = fields["name"]?.stringValue, AgentTool.isValidName(name) else {
            throw AgentCatalogError(message: "\(place): name must be 1-64 characters of A-Z a-z 0-9 _ -")
        }
        let place = "\(place) (\(name))"
        let url = try decodeURL(fields["url"], at: place)
        let headers = try decodeHeaders(fields["headers"], at: place, environment: environment)
        var allowed: [String]?
        if let value = fields["allowed_tools"], !value.isNull {
            guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count,
                names.allSatisfy(AgentTool.isValidName)
            else {
                throw AgentCatalogError(message: "\(place): allowed_tools must be an array of tool names")
            }
            allowed = names
        }
        let timeoutMs = try decodeTimeout(fields["timeout_ms"], at: place, default: 30_000)
        return MCPServerSettings(name: name, url: url, headers: headers, allowedTools: allowed, timeoutMs: timeoutMs)
    }

    private static func decodeURL(_ value: JSONValue?, at place: String) throws(AgentCatalogError) -> String {
        guard let url = value?.stringValue, url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8,
            !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7f })
        else {
            throw AgentCatalogError(message: "\(place): url must be an http:// or https:// URL")
        }
        return url
    }

    private static func decodeTimeout(_ value: JSONValue?, at place: String, default fallback: Int) throws(AgentCatalogError) -> Int {
        guard let value, !value.isNull else { return fallback }
        guard let timeout = value.intValue, (1...AgentTool.maxTimeoutMs).contains(timeout) else {
            throw AgentCatalogError(message: "\(place): timeout_ms must be a whole number from 1 to \(AgentTool.maxTimeoutMs)")
        }
        return timeout
    }

    private static func decodeHeaders(_ value: JSONValue?, at place: String, environment: [String: String]) throws(AgentCatalogError) -> [HTTPToolHeader] {
        var headers: [HTTPToolHeader] = []
        guard let value, !value.isNull else { return headers }
        guard let members = value.objectValue?.members else {
            throw AgentCatalogError(message: "\(place): headers must be an object of header names to strings")
        }
        for (header, text) in members {
            guard HTTPFieldName.isValid(header), let template = text.stringValue else {
                throw AgentCatalogError(message: "\(place): headers.\(header) must be a string under a valid header name")
            }
            let expanded = try expand(template, environment: environment, at: "\(place): headers.\(header)")
            guard !expanded.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7f }) else {
                throw AgentCatalogError(message: "\(place): headers.\(header) must not contain control characters")
            }
            headers.append(HTTPToolHeader(name: header, value: expanded))
        }
        return headers
    }

    private static func decodeTool(_ value: JSONValue, at place: String, environment: [String: String]) throws(AgentCatalogError) -> AgentTool {
        guard let fields = value.objectValue else { throw AgentCatalogError(message: "\(place): must be an object") }
        for key in fields.keys where !toolFields.contains(key) {
            throw AgentCatalogError(message: "\(place): unknown field \"\(key)\"; known fields are \(toolFields.joined(separator: ", "))")
        }
        guard fields["type"]?.stringValue == "http" else {
            throw AgentCatalogError(message: "\(place): type must be \"http\"")
        }
        guard let name = fields["name"]?.stringValue, AgentTool.isValidName(name) else {
            throw AgentCatalogError(message: "\(place): name must be 1-64 characters of A-Z a-z 0-9 _ -")
        }
        let place = "\(place) (\(name))"
        var description: String?
        if let value = fields["description"], !value.isNull {
            guard let text = value.stringValue, !text.isEmpty else { throw AgentCatalogError(message: "\(place): description must be a non-empty string") }
            description = text
        }
        let parameters = fields["parameters"] ?? .object(JSONObject([("type", "object"), ("properties", .object(JSONObject([])))]))
        if let problem = JSONSchema.problem(inSchema: parameters) {
            throw AgentCatalogError(message: "\(place): parameters \(problem)")
        }
        let url = try decodeURL(fields["url"], at: place)
        let headers = try decodeHeaders(fields["headers"], at: place, environment: environment)
        let timeoutMs = try decodeTimeout(fields["timeout_ms"], at: place, default: AgentTool.defaultTimeoutMs)
        return AgentTool(name: name, description: description, parameters: parameters, kind: .http(url: url, headers: headers, timeoutMs: timeoutMs))
    }

    /// `${VAR}` replaced by the variable's value; a variable that is not set is an error (never an empty value).
    static func expand(_ template: String, environment: [String: String], at place: String) throws(AgentCatalogError) -> String {
        var result = ""
        var rest = Substring(template)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw AgentCatalogError(message: "\(place): \"${\" without a closing \"}\"")
            }
            let name = String(rest[start.upperBound..<end])
            guard let value = environment[name] else {
                throw AgentCatalogError(message: "\(place): the environment variable \(name) is not set")
            }
            result += value
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
