import JSON

/// `agentd config`: the configuration in force, as JSON, every variable with its effective value (defaults
/// included) and every secret replaced by `"<redacted>"` (or null when unset), so it can be pasted into a ticket.
extension Configuration {
    static let redacted = "<redacted>"

    func effectiveJSON(environment: [String: String]) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let variables = Configuration.settings.compactMap { setting in setting.effective.map { (key: setting.name, value: $0(self, environment)) } }
            .sorted { $0.key < $1.key }
        let providerList: [JSONValue] = providers.providers.map { provider in
            .object(JSONObject([
                ("name", .string(provider.name)), ("kind", .string(provider.kind.rawValue)), ("base_url", .string(provider.baseURL)),
                ("api_key", ProviderSettings.secret(provider.apiKey)), ("models", .array(provider.models.map(JSONValue.string))),
                ("ca_file", text(provider.caFile)),
            ]))
        }
        return JSONValue.object(JSONObject([
            ("version", .string(AgentdVersion.current)), ("variables", .object(JSONObject(variables))),
            ("providers", .array([.object(JSONObject([("name", "mock"), ("kind", "built-in")]))] + providerList)),
        ]))
    }
}
