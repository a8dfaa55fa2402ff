import JSON

/// A named agent: the model it talks to and the defaults it sends, as docs/api.md, GET /agents, lists.
///
/// A value with no shared state. Every field but `name` may be unset: an unset field means "the server's
/// default" (the default model, no system prompt, the provider's temperature and max tokens, the
/// configured `AGENTD_FALLBACK_MODELS`), and a field a request sends overrides the profile's. Profiles come
/// from the operator's agents file and hold no secrets; `publicJSON()` is still the one way out to clients.
public struct AgentProfile: Sendable, Equatable {
    /// 1-64 characters of `A-Z a-z 0-9 _ . -` (see `isValidName`).
    public var name: String
    /// `provider:model` or a bare name (the default provider's model); nil → the default model.
    public var model: String?
    /// Prepended to every request of this agent; never stored in a conversation's history.
    public var systemPrompt: String?
    /// 0...2, as OpenAI accepts it.
    public var temperature: Double?
    /// 1...`AGENTD_MAX_TOKENS_PER_REQUEST`.
    public var maxTokens: Int?
    /// Tried in order when `model` fails with a retryable error after its retries; empty → the server's list.
    public var fallbackModels: [String]
    /// Tools agentd runs for this agent (README.md, "Agents that act"); empty: the agent answers in one model call.
    public var tools: [AgentTool] = []
    /// Model calls one run may make before it ends with an error naming the limit (with tools).
    public var maxSteps = AgentProfile.defaultMaxSteps
    /// The API key names that may use this agent (`AGENTD_API_KEYS_FILE`'s names); nil: any accepted key.
    public var keys: [String]?
    /// MCP servers whose tools the agent may call (listed at run time).
    public var mcpServers: [MCPServerSettings] = []

    /// Whether runs of this agent go through the agent loop.
    public var hasTools: Bool { !tools.isEmpty || !mcpServers.isEmpty }

    public static let defaultMaxSteps = 8
    public static let maxMaxSteps = 100

    /// The name of the agent that always exists and serves requests that name none.
    public static let defaultName = "default"
    /// The most characters an agent name may have: it appears in metric labels and log lines.
    public static let maxNameCharacters = 64
    /// The most characters a model name may have; far beyond any provider's model id.
    public static let maxModelNameCharacters = 256

    public init(
        name: String, model: String? = nil, systemPrompt: String? = nil, temperature: Double? = nil,
        maxTokens: Int? = nil, fallbackModels: [String] = []
    ) {
        self.name = name
        self.model = model
        self.systemPrompt = systemPrompt
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.fallbackModels = fallbackModels
    }

    /// Whether `name` may name an agent: 1-64 characters of `A-Z a-z 0-9 _ . -`, so it is safe as a metric
    /// label value, in a log line and in a URL without escaping.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= maxNameCharacters else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    /// Whether `model` has the shape of a model name: `provider:model` or a bare name, at most 256
    /// characters, no whitespace or control characters, and neither side of the first ":" empty.
    ///
    /// Only the shape: whether the provider is configured is the provider registry's question, asked when
    /// the server starts.
    public static func isValidModelName(_ model: String) -> Bool {
        let scalars = model.unicodeScalars
        guard !scalars.isEmpty, model.count <= maxModelNameCharacters else { return false }
        guard scalars.first != ":", scalars.last != ":" else { return false }
        return scalars.allSatisfy { scalar in
            !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
        }
    }

    /// The profile as `GET /agents` shows it: every field, unset ones as null (`fallback_models` as `[]`).
    public func publicJSON() -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        object["model"] = model.map(JSONValue.string) ?? .null
        object["system_prompt"] = systemPrompt.map(JSONValue.string) ?? .null
        object["temperature"] = temperature.map(JSONValue.double) ?? .null
        object["max_tokens"] = maxTokens.map(JSONValue.integer) ?? .null
        object["fallback_models"] = .array(fallbackModels.map(JSONValue.string))
        object["tools"] = .array(tools.map(\.publicJSON))
        object["max_steps"] = .integer(maxSteps)
        return .object(object)
    }
}
