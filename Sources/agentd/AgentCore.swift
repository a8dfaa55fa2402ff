import Glibc
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

    /// The transfer engines: with AGENTD_UPSTREAM_THREADS=0, one per event loop, waiting to be hosted by
    /// the server's loops (`host(_:on:)`); else that many engines with threads of their own.
    static func engines(configuration: Configuration) throws -> TransferEnginePool {
        let onLoops = configuration.upstreamThreads == 0
        let loops = configuration.server.eventLoopCount > 0
            ? configuration.server.eventLoopCount : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        do {
            return try TransferEnginePool(count: onLoops ? loops : configuration.upstreamThreads, startsThreads: !onLoops)
        } catch {
            throw StartupError(description: "agentd: cannot start the transfer engines: \(error)")
        }
    }

    /// Gives each engine that has no thread of its own to one of the server's event loops.
    static func host(_ engines: TransferEnginePool, on server: HTTPServer) {
        let loops = server.eventLoops
        for (index, engine) in engines.engines.enumerated() where !engine.startedThread {
            loops[index % loops.count].host(engine)
        }
    }

    static func router(configuration: Configuration, lifecycle: Lifecycle, engines: TransferEnginePool? = nil) throws -> Router {
        let engines = try engines ?? TransferEnginePool(count: max(1, configuration.upstreamThreads))
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

/// Engines without a thread of their own run on the event loops.
extension TransferEngine: EventLoopGuest {}
