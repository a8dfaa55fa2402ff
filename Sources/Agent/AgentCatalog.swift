import JSON

/// The configured agent profiles by name; the `default` agent is always among them.
///
/// Immutable after start: built once from the agents file (`AgentCatalog+Loading.swift`) and shared by
/// every request, so it needs no owner. The `default` agent has no model and no system prompt (it serves
/// with the server's default model) unless the file defines `default` itself.
public struct AgentCatalog: Sendable {
    private let profiles: [String: AgentProfile]
    /// Sorted once: `default` first, then the others in code-point order.
    public let names: [String]

    /// A catalog of `profiles` plus a bare `default` when they hold none.
    ///
    /// Each name must be valid (`AgentProfile.isValidName`) and appear once; the file loader checks both
    /// with a message, so a failure here is a programming error.
    public init(profiles: [AgentProfile] = []) {
        var byName: [String: AgentProfile] = [:]
        for profile in profiles {
            precondition(AgentProfile.isValidName(profile.name), "agent name \"\(profile.name)\" must be 1-64 characters of A-Z a-z 0-9 _ . -")
            precondition(byName[profile.name] == nil, "agent \"\(profile.name)\" is defined twice: names identify agents in requests, logs and metrics")
            byName[profile.name] = profile
        }
        if byName[AgentProfile.defaultName] == nil {
            byName[AgentProfile.defaultName] = AgentProfile(name: AgentProfile.defaultName)
        }
        self.profiles = byName
        names = [AgentProfile.defaultName] + byName.keys.filter { $0 != AgentProfile.defaultName }.sorted()
    }

    /// The profile called `name`, or nil (the caller answers 400 with the known names).
    public func profile(named name: String) -> AgentProfile? {
        profiles[name]
    }

    /// The `default` profile, which always exists.
    public var defaultProfile: AgentProfile {
        profiles[AgentProfile.defaultName]!
    }

    public var count: Int { profiles.count }

    /// The body of `GET /agents`: `{"object":"list","data":[profile, ...]}` in `names` order.
    ///
    /// Each profile is `{"name","model","system_prompt","temperature","max_tokens","fallback_models"}` with
    /// unset fields as null. The route serializes this and nothing else, so a field added to the profile
    /// later (a key, a header) cannot leak by accident.
    public func publicJSON() -> JSONValue {
        let data = names.map { profiles[$0]!.publicJSON() }
        return .object(JSONObject([("object", "list"), ("data", .array(data))]))
    }
}
