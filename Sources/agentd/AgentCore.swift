import Foundation
import Glibc
import Agent
import LLM
import Locks
import Logging
import Resilience
import Security
import Server
import Tasks

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
        try build(configuration: configuration, lifecycle: lifecycle, engines: engines, logger: Logger(minimumLevel: .error)).router
    }

    /// Everything behind the routes, wired: providers and gateway, agents, conversations, guards, metrics.
    static func build(
        configuration: Configuration, lifecycle: Lifecycle, engines: TransferEnginePool? = nil, logger: Logger
    ) throws -> AgentApp {
        let engines = try engines ?? TransferEnginePool(count: max(1, configuration.upstreamThreads))
        let registry = ProviderRegistry(
            configurations: configuration.providers.providers, engines: engines, defaultModel: configuration.providers.defaultModel
        )
        let catalog = try loadCatalog(configuration: configuration, registry: registry)
        let protection = configuration.protection
        let fallbacks: [ProviderRegistry.Resolution]
        do {
            fallbacks = try LLMGateway.resolveFallbacks(protection.fallbackModels, in: registry)
        } catch {
            throw StartupError(description: "agentd: AGENTD_FALLBACK_MODELS: \(error.message)")
        }
        let metrics = AgentdMetrics(version: AgentdVersion.current)
        metrics.prepare(providers: registry.providers.keys.sorted())
        let health = ProviderHealth(providers: registry.providers.keys.sorted())
        let observer = HealthRecordingObserver(
            next: GatewayMetrics(
                metrics: metrics, models: modelLabels(registry: registry, catalog: catalog, fallbacks: fallbacks),
                providers: registry.providers.keys.sorted(), prices: try loadPrices(protection.pricesFile), logger: logger
            ),
            health: health
        )
        let settings = GatewaySettings(
            retry: RetryPolicy(maxAttempts: protection.retryMaxAttempts, baseDelayMs: protection.retryBaseMs, maxDelayMs: protection.retryMaxMs),
            breaker: CircuitBreaker.Configuration(
                failureRate: Double(protection.breakerFailureRatePercent) / 100, window: protection.breakerWindow,
                minimumCalls: protection.breakerMinCalls, openMs: Int64(protection.breakerOpenMs),
                halfOpenCalls: protection.breakerHalfOpenCalls
            ),
            callDeadlineMs: Int64(configuration.providers.upstreamTimeoutMs)
        )
        let cache = protection.cacheTTLS > 0
            ? ResponseCache<ChatCompletion, ProviderError>(ttlMs: Int64(protection.cacheTTLS) * 1000, maxEntries: protection.cacheMaxEntries)
            : nil
        let gateway = LLMGateway(registry: registry, settings: settings, fallbacks: fallbacks, cache: cache, observer: observer)
        let conversations = ConversationStore(
            maxConversations: configuration.conversationsMax, ttlMs: UInt64(configuration.conversationTTLS) * 1000,
            maxHistoryTokens: configuration.conversationMaxTokens
        )
        let limits = ChatLimits(maxMessageChars: configuration.maxMessageChars, maxTokensPerRequest: configuration.maxTokensPerRequest)
        let service = ChatService(registry: registry, catalog: catalog, conversations: conversations, gateway: gateway)
        let budget = protection.dailyTokenBudget > 0 ? TokenBudget(dailyTokens: protection.dailyTokenBudget, clock: SystemWallClock()) : nil
        let accounting = CallAccounting(budget: budget, metrics: metrics)
        let clientGuard = ClientGuard(
            keys: try loadKeys(protection),
            limiter: protection.rateLimitPerSecond > 0
                ? RateLimiter(ratePerSecond: protection.rateLimitPerSecond, burst: protection.rateLimitBurst, clock: SystemMonotonicClock())
                : nil,
            budget: budget, metrics: metrics
        )
        let taskService = TaskService()
        let taskMetrics = TaskMetrics(metrics: metrics)
        let server = ServerSlot()
        let refresh: @Sendable () -> Void = {
            if let store = taskService.store { taskMetrics.refresh(from: store) }
            if let running = server.server {
                metrics.openConnections.series.set(Double(running.openConnections))
                metrics.inFlightRequests.series.set(Double(running.inFlightRequests))
            }
            metrics.conversations.series.set(Double(conversations.count))
            for (provider, state) in gateway.breakerStates { metrics.breakerState.labels(provider).set(Double(state.rawValue)) }
        }
        let router = Routes.router(RouteDependencies(
            lifecycle: lifecycle,
            chat: ChatEndpoint(service: service, limits: limits, keepAliveMs: configuration.sseKeepAliveMs, accounting: accounting),
            openAI: OpenAIEndpoint(gateway: gateway, limits: limits, keepAliveMs: configuration.sseKeepAliveMs, accounting: accounting),
            catalog: catalog, clientGuard: clientGuard, metrics: metrics,
            health: HealthEndpoint(gateway: gateway, health: health, startedAt: Date(), tasks: taskService),
            tasks: TasksEndpoint(
                tasks: taskService, service: service, limits: limits, scopedToKeys: protection.hasKeys, keepAliveMs: configuration.sseKeepAliveMs
            ),
            metricsToken: protection.metricsToken.map { APIKeyStore(plainKeys: [$0], hashedKeys: []) },
            refreshGauges: refresh
        ))
        let accessLog = AccessLog(logger: logger, metrics: metrics, templates: router.routes.map(\.template))
        let taskSettings = configuration.tasks
        var storeSettings = TaskStore.Settings()
        storeSettings.workers = taskSettings.workers
        storeSettings.queueMax = taskSettings.queueMax
        storeSettings.retentionMs = Int64(taskSettings.retentionS) * 1000
        let settingsForStore = storeSettings
        let executor = ChatTaskExecutor(service: service, budget: budget, metrics: metrics)
        let webhooks = TaskWebhooks(sender: WebhookSender(engines: engines, secret: taskSettings.webhookSecret, logger: logger))
        let openTasks: @Sendable () -> Void = {
            taskService.open(taskSettings, logger: logger) { journal, payloads in
                TaskStore(
                    journal: journal, replayed: payloads, settings: settingsForStore, clock: SystemWallClock(), executor: executor,
                    webhooks: webhooks, observer: taskMetrics
                )
            }
        }
        return AgentApp(router: router, metrics: metrics, accessLog: accessLog, server: server, tasks: taskService, openTasks: openTasks)
    }

    private static func loadCatalog(configuration: Configuration, registry: ProviderRegistry) throws -> AgentCatalog {
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
        return catalog
    }

    /// The models that may appear as metric labels: listed, default, fallbacks, and those agent profiles name.
    private static func modelLabels(registry: ProviderRegistry, catalog: AgentCatalog, fallbacks: [ProviderRegistry.Resolution]) -> ModelLabels {
        var names = registry.listedModels + fallbacks.map(\.qualifiedName)
        for name in catalog.names {
            guard let profile = catalog.profile(named: name) else { continue }
            for model in [profile.model].compactMap({ $0 }) + profile.fallbackModels {
                if let resolution = try? registry.resolve(model) { names.append(resolution.qualifiedName) }
            }
        }
        return ModelLabels(qualifiedModels: names)
    }

    private static func loadPrices(_ path: String?) throws -> PriceTable {
        guard let path else { return PriceTable.builtIn }
        do {
            return try PriceTable.load(path: path)
        } catch {
            throw StartupError(description: "agentd: AGENTD_PRICES_FILE: \(error)")
        }
    }

    private static func loadKeys(_ protection: ProtectionSettings) throws -> APIKeyStore? {
        guard protection.hasKeys else { return nil }
        var hashed: [(name: String, hash: [UInt8])] = []
        if let path = protection.apiKeysFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StartupError(description: "agentd: AGENTD_API_KEYS_FILE=\"\(path)\": cannot read the file")
            }
            do {
                hashed = try APIKeyStore.parseFile(String(decoding: data, as: UTF8.self))
            } catch {
                throw StartupError(description: "agentd: AGENTD_API_KEYS_FILE=\"\(path)\": \(error)")
            }
        }
        let store = APIKeyStore(plainKeys: protection.apiKeys, hashedKeys: hashed)
        guard !store.isEmpty else {
            throw StartupError(description: "agentd: AGENTD_API_KEYS_FILE: no key in the file")
        }
        return store
    }
}

/// The assembled application: its router, metrics and access log, a slot for the server once it runs, and the
/// task store, opened (its journal replayed in the background) by `openTasks` once the server listens.
struct AgentApp: Sendable {
    let router: Router
    let metrics: AgentdMetrics
    let accessLog: AccessLog
    let server: ServerSlot
    let tasks: TaskService
    let openTasks: @Sendable () -> Void
}

/// The running server, set once it listens (the metrics read its connection counts). Owner: the lock.
final class ServerSlot: Sendable {
    private let slot = Locked<HTTPServer?>(nil)
    var server: HTTPServer? { slot.withLock { $0 } }
    func set(_ server: HTTPServer) { slot.withLock { $0 = server } }
}

/// Engines without a thread of their own run on the event loops.
extension TransferEngine: EventLoopGuest {}
