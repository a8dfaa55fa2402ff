import Foundation
import JSON
import LLM

/// Providers and models from the environment (docs/api.md, "Models and agents"; docs/configuration.md).
struct ProviderSettings: Sendable {
    var providers: [ProviderConfiguration] = []
    /// `provider:model`.
    var defaultModel: String = Configuration.Variable.defaultModel.defaultValue
    var connectTimeoutMs: Int = Configuration.Variable.connectTimeoutMs.defaultValue
    var upstreamTimeoutMs: Int = Configuration.Variable.upstreamTimeoutMs.defaultValue
    var streamIdleTimeoutMs: Int = Configuration.Variable.streamIdleTimeoutMs.defaultValue

    /// The variables read per provider, whose names are known only at start; `addProviders` reads them.
    static let templateSettings: [Configuration.Setting] = [
        .init(name: "OPENAI_API_KEY", defaultValue: "", summary: "enables the openai provider (secret)",
              effective: { configuration, _ in secret(configuration.providers.named("openai")?.apiKey) }),
        .init(name: "OPENAI_BASE_URL", defaultValue: "https://api.openai.com/v1", summary: "requests go to <base>/chat/completions",
              effective: { configuration, environment in
                  .string(configuration.providers.named("openai")?.baseURL ?? environment["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1")
              }),
        .init(name: "ANTHROPIC_API_KEY", defaultValue: "", summary: "enables the anthropic provider (secret)",
              effective: { configuration, _ in secret(configuration.providers.named("anthropic")?.apiKey) }),
        .init(name: "ANTHROPIC_BASE_URL", defaultValue: "https://api.anthropic.com", summary: "requests go to <base>/v1/messages",
              effective: { configuration, environment in
                  .string(configuration.providers.named("anthropic")?.baseURL ?? environment["ANTHROPIC_BASE_URL"] ?? "https://api.anthropic.com")
              }),
        .init(name: "AGENTD_PROVIDER_<NAME>_BASE_URL", defaultValue: "", summary: "adds provider <name> (OpenAI-compatible server)"),
        .init(name: "AGENTD_PROVIDER_<NAME>_API_KEY", defaultValue: "", summary: "its API key (secret)"),
        .init(name: "AGENTD_PROVIDER_<NAME>_KIND", defaultValue: "openai", summary: "openai or anthropic wire format"),
        .init(name: "AGENTD_PROVIDER_<NAME>_MODELS", defaultValue: "", summary: "comma list of its models for GET /v1/models"),
        .init(name: "AGENTD_PROVIDER_<NAME>_CA_FILE", defaultValue: "", summary: "PEM CA certificates to trust for it (private CA)"),
    ]

    func named(_ name: String) -> ProviderConfiguration? { providers.first { $0.name == name } }

    /// A secret as `agentd config` prints it.
    static func secret(_ value: String?) -> JSONValue {
        value.map { $0.isEmpty ? .null : .string(Configuration.redacted) } ?? .null
    }

    /// Adds the providers the environment configures (the timeouts already read), then reads AGENTD_DEFAULT_MODEL,
    /// which must name one of them.
    mutating func addProviders(from environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        let settings = self
        func provider(_ name: String, _ kind: ProviderConfiguration.Kind, base: String, key: String?, models: [String], official: Bool)
            -> ProviderConfiguration {
            ProviderConfiguration(
                name: name, kind: kind, baseURL: base, apiKey: key, connectTimeoutMs: settings.connectTimeoutMs,
                totalTimeoutMs: settings.upstreamTimeoutMs, streamIdleTimeoutMs: settings.streamIdleTimeoutMs,
                models: models, sendsMaxCompletionTokens: official
            )
        }
        if let key = environment["OPENAI_API_KEY"], !key.isEmpty {
            let base = try reader.url("OPENAI_BASE_URL", default: "https://api.openai.com/v1")
            let official = base.contains("api.openai.com")
            providers.append(provider("openai", .openai, base: base, key: key, models: ["gpt-4o-mini", "gpt-4o"], official: official))
            defaultModel = "openai:gpt-4o-mini"
        }
        if let key = environment["ANTHROPIC_API_KEY"], !key.isEmpty {
            let base = try reader.url("ANTHROPIC_BASE_URL", default: "https://api.anthropic.com")
            let models = ["claude-3-5-haiku-latest", "claude-3-5-sonnet-latest"]
            providers.append(provider("anthropic", .anthropic, base: base, key: key, models: models, official: false))
            if defaultModel == "mock:echo" { defaultModel = "anthropic:claude-3-5-haiku-latest" }
        }
        for variable in environment.keys.sorted() where variable.hasPrefix("AGENTD_PROVIDER_") && variable.hasSuffix("_BASE_URL") {
            let prefix = String(variable.dropLast("_BASE_URL".count))
            let name = String(prefix.dropFirst("AGENTD_PROVIDER_".count)).lowercased()
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), name != "mock" else {
                throw ConfigurationError(variable: variable, value: environment[variable]!, problem: "the provider name is not usable",
                                         accepted: "AGENTD_PROVIDER_<NAME>_BASE_URL with NAME of letters, digits, _ or -, not MOCK")
            }
            let kind = try reader.choice("\(prefix)_KIND", default: ProviderConfiguration.Kind.openai,
                                         ProviderConfiguration.Kind.init(rawValue:), accepted: "openai|anthropic")
            let models = (environment["\(prefix)_MODELS"] ?? "").split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
            providers.removeAll { $0.name == name }
            var configuration = provider(name, kind, base: try reader.url(variable, default: ""), key: environment["\(prefix)_API_KEY"],
                                         models: models, official: false)
            if let caFile = environment["\(prefix)_CA_FILE"], !caFile.isEmpty {
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw ConfigurationError(variable: "\(prefix)_CA_FILE", value: caFile, problem: "not a readable file",
                                             accepted: "the path of a PEM file of CA certificates")
                }
                configuration.caFile = caFile
            }
            providers.append(configuration)
        }
        if let model = environment["AGENTD_DEFAULT_MODEL"]?.trimmingBlanks(), !model.isEmpty {
            let prefix = model.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            guard model.contains(":"), prefix == "mock" || providers.contains(where: { $0.name == prefix }) else {
                throw ConfigurationError(variable: "AGENTD_DEFAULT_MODEL", value: model, problem: "not a model of a configured provider",
                                         accepted: "provider:model with provider one of mock\(providers.map { ", " + $0.name }.joined())")
            }
            defaultModel = model
        }
    }
}

extension EnvironmentReader {
    func url(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        let text = (environment[name] ?? defaultValue).trimmingBlanks()
        guard text.hasPrefix("http://") || text.hasPrefix("https://"), text.count > 8 else {
            throw ConfigurationError(variable: name, value: text, problem: "not an http(s) URL", accepted: "http://host[:port][/path] or https://…")
        }
        return text
    }
}
