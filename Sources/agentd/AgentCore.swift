import Agent
import LLM
import Server

/// Builds the agent core from the configuration: the transfer engine, providers, agent profiles,
/// conversations, and the routes over them.
enum AgentCore {
    /// A problem found while building (an unreadable agents file): one line for stderr, exit status 2.
    struct StartupError: Error, CustomStringConvertible {
        let description: String
    }

    static func router(configuration: Configuration, lifecycle: Lifecycle) throws -> Router {
        let engines: TransferEnginePool
        do {
            engines = try TransferEnginePool(count: configuration.upstreamThreads)
        } catch {
            throw StartupError(description: "agentd: cannot start the transfer engines: \(error)")
        }
        let registry = ProviderRegistry(
            configurations: configuration.providers.providers, engines: engines, defaultModel: configuration.providers.defaultModel
        )
        let catalog: AgentCatalog
        if let path = configuration.agentsFile {
            do {
                catalog = try AgentCatalog.load(path: path, maxTokensLimit: configuration.maxTokensPerRequest)
            } catch {
                throw StartupError(description: "agentd: AGENTD_AGENTS_FILE=\"\(path)\": \(error.message)")
            }
        } else {
            catalog = AgentCatalog()
        }
        // Every model a profile names must resolve now, not on the first request that uses it.
        for name in catalog.names {
            guard let profile = catalog.profile(named: name) else { continue }
            for model in [profile.model].compactMap({ $0 }) + profile.fallbackModels {
                do {
                    _ = try registry.resolve(model)
                } catch {
                    throw StartupError(description: "agentd: AGENTD_AGENTS_FILE: agent \"\(name)\": \(error.message)")
                }
            }
        }
        let conversations = ConversationStore(
            maxConversations: configuration.conversationsMax, ttlMs: UInt64(configuration.conversationTTLS) * 1000,
            maxHistoryTokens: configuration.conversationMaxTokens
        )
        let limits = ChatLimits(maxMessageChars: configuration.maxMessageChars, maxTokensPerRequest: configuration.maxTokensPerRequest)
        let service = ChatService(registry: registry, catalog: catalog, conversations: conversations)
        return Routes.router(
            lifecycle: lifecycle, chat: ChatEndpoint(service: service, limits: limits, keepAliveMs: configuration.sseKeepAliveMs),
            openAI: OpenAIEndpoint(registry: registry, limits: limits, keepAliveMs: configuration.sseKeepAliveMs), catalog: catalog
        )
    }
}
