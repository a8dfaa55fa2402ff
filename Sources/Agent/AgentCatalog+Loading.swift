import JSON

extension AgentCatalog {
    /// The fields a profile may have in the agents file; any other is refused so that a typo
    /// (`"temprature"`) stops the server at start instead of being silently ignored.
    public static let profileFields = ["model", "system_prompt", "temperature", "max_tokens", "fallback_models", "tools", "max_steps", "keys", "mcp_servers"]

    /// Reads the agents file at `path` (`AGENTD_AGENTS_FILE`); see `load(json:maxTokensLimit:)`.
    /// Every error carries `path`.
    public static func load(path: String, maxTokensLimit: Int, environment: [String: String] = [:]) throws(AgentCatalogError) -> AgentCatalog {
        let bytes: [UInt8]
        do {
            bytes = try ConfigurationFile.read(path)
        } catch {
            throw AgentCatalogError(path: path, message: error.message)
        }
        do {
            return try load(json: bytes, maxTokensLimit: maxTokensLimit, environment: environment)
        } catch {
            throw AgentCatalogError(path: path, message: error.message)
        }
    }

    /// Reads the agents file's JSON: an object of profiles by name, strictly validated.
    ///
    /// `{"support": {"model": "openai:gpt-4o-mini", "system_prompt": "...", "temperature": 0.3,
    /// "max_tokens": 512, "fallback_models": ["anthropic:claude-3-5-haiku-latest"]}}`. Every field is
    /// optional, and null means unset. Refused, with the agent and field named: a name that is not 1-64
    /// characters of `A-Z a-z 0-9 _ . -`, a profile that is not an object, an unknown field, a model name of
    /// the wrong shape, an empty system prompt, a temperature outside 0...2, a max_tokens that is not a whole
    /// number in 1...`maxTokensLimit` (`AGENTD_MAX_TOKENS_PER_REQUEST`). A file without `default` gets a bare one.
    /// When the JSON repeats a name, the last profile wins (the parser keeps the last value).
    /// `environment` supplies the `${VAR}` of tool headers.
    public static func load(json bytes: [UInt8], maxTokensLimit: Int, environment: [String: String] = [:]) throws(AgentCatalogError) -> AgentCatalog {
        precondition(maxTokensLimit >= 1, "maxTokensLimit is AGENTD_MAX_TOKENS_PER_REQUEST and must be at least 1")
        let object = try AgentCatalogError.topLevelObject(of: bytes, shape: #"an object of profiles by name, like {"support": {"model": "openai:gpt-4o-mini"}}"#)
        var profiles: [AgentProfile] = []
        for (name, fields) in object.members {
            guard AgentProfile.isValidName(name) else {
                throw AgentCatalogError(message: "agent name \(quoted(name)) must be 1-64 characters of A-Z a-z 0-9 _ . -")
            }
            var profile = try decodeProfile(name: name, fields: fields, maxTokensLimit: maxTokensLimit)
            if let object = fields.objectValue { try decodeTools(&profile, object, environment: environment) }
            profiles.append(profile)
        }
        return AgentCatalog(profiles: profiles)
    }

    private static func decodeProfile(name: String, fields: JSONValue, maxTokensLimit: Int) throws(AgentCatalogError) -> AgentProfile {
        let agent = "agent \(quoted(name))"
        guard let object = fields.objectValue else {
            throw AgentCatalogError(message: "\(agent): must be an object of profile fields (\(profileFields.joined(separator: ", ")))")
        }
        for key in object.keys where !profileFields.contains(key) {
            throw AgentCatalogError(
                message: "\(agent): unknown field \(quoted(key)); known fields are \(profileFields.joined(separator: ", "))"
            )
        }
        var profile = AgentProfile(name: name)
        if let value = present(object["model"]) {
            guard let model = value.stringValue, AgentProfile.isValidModelName(model) else {
                throw AgentCatalogError(message: "\(agent): model must be a model name, \"provider:model\" or a bare name")
            }
            profile.model = model
        }
        if let value = present(object["system_prompt"]) {
            guard let prompt = value.stringValue, !prompt.isEmpty else {
                throw AgentCatalogError(message: "\(agent): system_prompt must be a non-empty string")
            }
            profile.systemPrompt = prompt
        }
        if let value = present(object["temperature"]) {
            guard let temperature = value.doubleValue, (0...2).contains(temperature) else {
                throw AgentCatalogError(message: "\(agent): temperature must be a number from 0 to 2")
            }
            profile.temperature = temperature
        }
        if let value = present(object["max_tokens"]) {
            guard let maxTokens = value.intValue, (1...maxTokensLimit).contains(maxTokens) else {
                throw AgentCatalogError(message: "\(agent): max_tokens must be a whole number from 1 to \(maxTokensLimit)")
            }
            profile.maxTokens = maxTokens
        }
        if let value = present(object["fallback_models"]) {
            guard let elements = value.arrayValue else {
                throw AgentCatalogError(message: "\(agent): fallback_models must be an array of model names")
            }
            for (index, element) in elements.enumerated() {
                guard let model = element.stringValue, AgentProfile.isValidModelName(model) else {
                    throw AgentCatalogError(
                        message: "\(agent): fallback_models[\(index)] must be a model name, \"provider:model\" or a bare name"
                    )
                }
                profile.fallbackModels.append(model)
            }
        }
        return profile
    }

    /// The value unless it is absent or null: null means "unset", as a client would expect.
    private static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    /// A name from the file as a JSON string, cut to 80 characters: escaped, so a control character or a
    /// very long key cannot break the one-line error.
    private static func quoted(_ text: String) -> String {
        JSONValue.string(String(text.prefix(80))).text
    }
}
