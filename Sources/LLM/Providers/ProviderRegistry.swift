/// The configured providers and the default model; resolves `provider:model` names.
///
/// Immutable after start. `provider:model` splits at the first ":" (`ollama:llama3:8b` → ollama, `llama3:8b`);
/// a name without ":" is a model of the default provider. A prefix that names no configured provider is
/// an error (a 400: docs/api.md, "Models and agents"), never silently sent to the default one.
public final class ProviderRegistry: Sendable {
    public let providers: [String: any ChatProvider]
    /// `provider:model`.
    public let defaultModel: String
    public let defaultProvider: String

    public init(providers: [any ChatProvider], defaultModel: String) {
        self.providers = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.defaultModel = defaultModel
        defaultProvider = defaultModel.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "mock"
    }

    /// Builds the HTTP providers on shared transfer engines, plus the mock.
    public convenience init(configurations: [ProviderConfiguration], engines: TransferEnginePool, defaultModel: String) {
        var all: [any ChatProvider] = [MockProvider()]
        for configuration in configurations {
            switch configuration.kind {
            case .openai: all.append(HTTPChatProvider(wire: OpenAIWire(configuration: configuration), engines: engines))
            case .anthropic: all.append(HTTPChatProvider(wire: AnthropicWire(configuration: configuration), engines: engines))
            }
        }
        self.init(providers: all, defaultModel: defaultModel)
    }

    /// A resolved model: the provider, the model id it knows, and our qualified name for logs and answers.
    public struct Resolution: Sendable {
        public let provider: any ChatProvider
        public let model: String
        /// `provider:model`, joined once (answers, logs and metrics all ask for it).
        public let qualifiedName: String

        init(provider: any ChatProvider, model: String, qualifiedName: String? = nil) {
            self.provider = provider
            self.model = model
            self.qualifiedName = qualifiedName ?? "\(provider.name):\(model)"
        }
    }

    public func resolve(_ name: String?) throws(ProviderError) -> Resolution {
        let requested = (name?.isEmpty ?? true) ? defaultModel : name!
        // Over the UTF-8 view: a search by Character would walk grapheme clusters.
        if let colon = requested.utf8.firstIndex(of: UInt8(ascii: ":")) {
            let prefix = String(requested[..<colon])
            guard let provider = providers[prefix] else {
                let known = providers.keys.sorted().joined(separator: ", ")
                throw ProviderError(provider: prefix, kind: .invalidRequest, message: "unknown provider \"\(prefix)\" (configured: \(known))")
            }
            let model = String(requested[requested.index(after: colon)...])
            guard !model.isEmpty else {
                throw ProviderError(provider: prefix, kind: .invalidRequest, message: "model name missing after \"\(prefix):\"")
            }
            // The requested name already is `provider:model`: no need to join it again.
            return Resolution(provider: provider, model: model, qualifiedName: requested)
        }
        guard let provider = providers[defaultProvider] else {
            throw ProviderError(provider: defaultProvider, kind: .invalidRequest, message: "unknown provider \(defaultProvider)")
        }
        return Resolution(provider: provider, model: requested)
    }

    /// Every listed model as `provider:model`, the default first.
    public var listedModels: [String] {
        var names = [defaultModel]
        for name in providers.keys.sorted() {
            for model in providers[name]!.knownModels where "\(name):\(model)" != defaultModel {
                names.append("\(name):\(model)")
            }
        }
        return names
    }
}
