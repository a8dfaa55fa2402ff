import Foundation
import Glibc
import Agent
import Redis
import RedisState
import LLM
import MCP
import Locks
import Logging
import Resilience
import Security
import Server
import Tasks
import Tracing

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
        let loops = loopCount(configuration)
        do {
            return try TransferEnginePool(count: onLoops ? loops : configuration.upstreamThreads, startsThreads: !onLoops)
        } catch {
            throw StartupError(description: "agentd: cannot start the transfer engines: \(error)")
        }
    }

    /// The server's event loops: AGENTD_EVENT_LOOPS, or one per core.
    static func loopCount(_ configuration: Configuration) -> Int {
        configuration.server.eventLoopCount > 0 ? configuration.server.eventLoopCount : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Gives each Redis connection to one of the server's event loops (one each), then starts connecting.
    static func host(_ redis: RedisClient, on server: HTTPServer) {
        let loops = server.eventLoops
        for (index, connection) in redis.connections.enumerated() { loops[index % loops.count].host(connection) }
        redis.start()
    }

    /// Gives each engine that has no thread of its own to one of the server's event loops.
    static func host(_ engines: TransferEnginePool, on server: HTTPServer) {
        let loops = server.eventLoops
        for (index, engine) in engines.engines.enumerated() where !engine.startedThread {
            loops[index % loops.count].host(engine)
        }
    }

    static func router(
        configuration: Configuration, lifecycle: Lifecycle, engines: TransferEnginePool? = nil, clock: any TimeSource = SystemClock()
    ) throws -> Router {
        try build(configuration: configuration, lifecycle: lifecycle, engines: engines, logger: Logger(minimumLevel: .error), clock: clock).router
    }

    /// Everything behind the routes, wired: providers and gateway, agents, conversations, guards, metrics.
    /// `redisOnLoops`: the Redis connections wait to be hosted by the server's loops (`host(_:on:)`), one per
    /// loop; else they get threads of their own and start connecting now. `clock`: every reading of the time and
    /// every wait behind the routes (tests pass a `ManualClock`).
    static func build(
        configuration: Configuration, lifecycle: Lifecycle, engines: TransferEnginePool? = nil, logger: Logger,
        redisOnLoops: Bool = false, clock: any TimeSource = SystemClock()
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
        let health = ProviderHealth(providers: registry.providers.keys.sorted(), clock: clock)
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
        let redis = try redisClient(configuration: configuration, metrics: metrics, logger: logger, onLoops: redisOnLoops)
        let state = redis.map { SharedStateFamily.redis(client: $0, configuration: configuration, clock: clock) }
            ?? SharedStateFamily.inMemory(configuration: configuration, clock: clock)
        let tracer = makeTracer(configuration: configuration, engines: engines)
        let requestTracing = tracer.map(RequestTracing.init)
        let gateway = LLMGateway(
            registry: registry, settings: settings, fallbacks: fallbacks, cache: state.cache, clock: clock, observer: observer, tracer: tracer
        )
        let conversations = state.conversations
        let limits = ChatLimits(maxMessageChars: configuration.maxMessageChars, maxTokensPerRequest: configuration.maxTokensPerRequest)
        let service = ChatService(registry: registry, catalog: catalog, conversations: conversations, gateway: gateway)
        let budget = state.budget
        let accounting = CallAccounting(metrics: metrics)
        let pipeline = InboundPipeline(gateway: gateway, keepAliveMs: configuration.sseKeepAliveMs, accounting: accounting)
        let clientGuard = ClientGuard(
            keys: try loadKeys(protection), admission: state.admission, metrics: metrics, defaultMaxTokens: configuration.maxTokensPerRequest
        )
        let tools = toolLoop(catalog: catalog, gateway: gateway, engines: engines, configuration: configuration, metrics: metrics, logger: logger)
        let agentLoop = tools?.loop
        tools?.mcp?.start()
        let taskService = TaskService()
        let taskMetrics = TaskMetrics(metrics: metrics)
        let server = ServerSlot()
        let refresh: @Sendable () -> Void = {
            if let store = taskService.store { taskMetrics.refresh(from: store) }
            if let running = server.server {
                metrics.openConnections.series.set(Double(running.openConnections))
                metrics.inFlightRequests.series.set(Double(running.inFlightRequests))
            }
            metrics.conversations.series.set(Double(conversations.liveCount))
            if let tracer {
                let dropped = Double(tracer.droppedSpans) - metrics.traceSpansDropped.series.value
                if dropped > 0 { metrics.traceSpansDropped.series.increment(by: dropped) }
            }
            for (provider, state) in gateway.breakerStates { metrics.breakerState.labels(provider).set(Double(state.rawValue)) }
        }
        let router = Routes.router(RouteDependencies(
            lifecycle: lifecycle,
            chat: ChatEndpoint(
                service: service, limits: limits, keepAliveMs: configuration.sseKeepAliveMs, accounting: accounting, loop: agentLoop,
                keysConfigured: protection.hasKeys, budget: budget
            ),
            openAI: OpenAIEndpoint(pipeline: pipeline, limits: limits),
            messages: MessagesEndpoint(pipeline: pipeline, limits: limits),
            responses: ResponsesEndpoint(
                pipeline: pipeline, limits: limits, store: state.responses, keysConfigured: protection.hasKeys,
                maxHistoryTokens: configuration.conversationMaxTokens
            ),
            embeddings: EmbeddingsEndpoint(pipeline: pipeline),
            cors: CORSPolicy(origins: protection.corsOrigins), tracing: requestTracing,
            catalog: catalog, clientGuard: clientGuard, metrics: metrics,
            health: HealthEndpoint(
                gateway: gateway, health: health, startedAtUnixMs: gateway.clock.nowUnixMs, tasks: taskService,
                redis: redis, mcp: tools?.mcp
            ),
            tasks: TasksEndpoint(
                tasks: taskService, service: service, limits: limits, scopedToKeys: protection.hasKeys, keepAliveMs: configuration.sseKeepAliveMs
            ),
            metricsToken: protection.metricsToken.map { APIKeyStore(plainKeys: [$0], hashedKeys: []) },
            refreshGauges: refresh
        ))
        var accessLog = AccessLog(logger: logger, metrics: metrics, templates: router.routes.map(\.template))
        accessLog.tracing = requestTracing
        let taskSettings = configuration.tasks
        var storeSettings = TaskStore.Settings()
        storeSettings.workers = taskSettings.workers
        storeSettings.queueMax = taskSettings.queueMax
        storeSettings.retentionMs = Int64(taskSettings.retentionS) * 1000
        let settingsForStore = storeSettings
        let executor = ChatTaskExecutor(service: service, budget: budget, metrics: metrics, loop: agentLoop)
        let webhooks = TaskWebhooks(
            sender: WebhookSender(engines: engines, secret: taskSettings.webhookSecret, logger: logger, clock: clock), tracer: tracer
        )
        let sharedTasks = try redis.map { client in
            try sharedTaskStore(
                client: client, configuration: configuration, executor: executor, webhooks: webhooks, observer: taskMetrics,
                metrics: metrics, logger: logger, clock: clock
            )
        }
        let openTasks: @Sendable () -> Void = {
            if let sharedTasks {
                taskService.open(shared: sharedTasks)
                return
            }
            taskService.open(taskSettings, logger: logger) { journal, payloads in
                TaskStore(
                    journal: journal, replayed: payloads, settings: settingsForStore, clock: clock, executor: executor,
                    webhooks: webhooks, observer: taskMetrics
                )
            }
        }
        if let redis, !redisOnLoops { redis.start() }
        return AgentApp(
            router: router, metrics: metrics, accessLog: accessLog, server: server, tasks: taskService, openTasks: openTasks,
            redis: redis, tracer: tracer
        )
    }

    /// The agent loop when some agent has tools (their metric series made at start, at zero), and its MCP
    /// servers (connecting in the background); else nil.
    private static func toolLoop(
        catalog: AgentCatalog, gateway: LLMGateway, engines: TransferEnginePool, configuration: Configuration, metrics: AgentdMetrics,
        logger: Logger
    ) -> (loop: AgentLoop, mcp: MCPToolbox?)? {
        let agents = catalog.names.compactMap { catalog.profile(named: $0) }.filter(\.hasTools)
        guard !agents.isEmpty else { return nil }
        for agent in agents {
            for tool in agent.tools {
                for outcome in ToolOutcome.allCases { _ = metrics.toolCalls.labels(agent.name, tool.name, outcome.rawValue) }
                _ = metrics.toolCallDuration.labels(tool.name)
            }
        }
        let mcp = agents.contains { !$0.mcpServers.isEmpty } ? MCPToolbox(catalog: catalog, engines: engines, logger: logger, tracer: gateway.tracer, clock: gateway.clock) : nil
        let runner = AgentToolRunner(http: HTTPToolRunner(engines: engines, maxBodyBytes: configuration.toolResultMaxBytes + 1024), mcp: mcp)
        let loop = AgentLoop(
            gateway: gateway, runner: runner, toolSource: mcp, observer: ToolMetrics(metrics: metrics, logger: logger),
            resultMaxBytes: configuration.toolResultMaxBytes
        )
        return (loop, mcp)
    }

    /// The task queue every replica shares, in the Redis behind `client`.
    private static func sharedTaskStore(
        client: RedisClient, configuration: Configuration, executor: any TaskExecutor, webhooks: any TaskWebhookDelivering,
        observer: any TaskStoreObserver, metrics: AgentdMetrics, logger: Logger, clock: any TimeSource
    ) throws -> RedisTaskStore {
        let tasks = configuration.tasks
        var settings = RedisTaskStore.Settings(replica: configuration.redis.replicaID)
        settings.workers = tasks.workers
        settings.queueMax = tasks.queueMax
        settings.retentionMs = Int64(tasks.retentionS) * 1000
        settings.leaseMs = tasks.leaseS * 1000
        settings.maxAttempts = tasks.maxAttempts
        do {
            return try RedisTaskStore(
                settings: settings, client: client, keyPrefix: configuration.redis.prefix, executor: executor, webhooks: webhooks,
                observer: observer, clock: clock, logger: logger,
                redisObserver: (client.observer as? RedisMetrics).map(RedisCommandMetrics.init(next:))
            )
        } catch {
            throw StartupError(description: "agentd: AGENTD_REDIS_URL: \(error)")
        }
    }

    /// The Redis client when `AGENTD_REDIS_URL` is set: one connection per event loop, its metrics registered.
    private static func redisClient(
        configuration: Configuration, metrics: AgentdMetrics, logger: Logger, onLoops: Bool
    ) throws -> RedisClient? {
        guard let url = configuration.redis.url else { return nil }
        let observer = RedisMetrics(registry: metrics.registry, logger: logger)
        var settings = RedisClient.Settings(url: url)
        settings.timeoutMs = configuration.redis.timeoutMs
        settings.caFile = configuration.redis.caFile
        settings.connections = loopCount(configuration)
        settings.scripts = RedisScripts.all + RedisTaskStore.scripts
        do {
            return try RedisClient(settings: settings, observer: observer, startsThreads: !onLoops)
        } catch {
            throw StartupError(description: "agentd: AGENTD_REDIS_URL: \(error)")
        }
    }

    private static func loadCatalog(configuration: Configuration, registry: ProviderRegistry) throws -> AgentCatalog {
        let catalog: AgentCatalog
        if let path = configuration.agentsFile {
            do {
                catalog = try AgentCatalog.load(
                    path: path, maxTokensLimit: configuration.maxTokensPerRequest, environment: ProcessInfo.processInfo.environment
                )
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
extension AgentCore {
    /// The tracer when AGENTD_OTLP_ENDPOINT is set: resource attributes name this service and this replica.
    static func makeTracer(configuration: Configuration, engines: TransferEnginePool) -> Tracer? {
        guard let endpoint = configuration.tracing.endpoint else { return nil }
        let tracing = configuration.tracing
        return Tracer(
            settings: TracerSettings(
                sampleRatio: tracing.sampleRatio, queueCapacity: tracing.queueMax, batchSize: tracing.batchSize, intervalMs: tracing.intervalMs
            ),
            exporter: OTLPExporter(settings: tracing, endpoint: endpoint, engines: engines),
            resource: [
                ("service.name", .string("agentd")), ("service.version", .string(AgentdVersion.current)),
                ("service.instance.id", .string(configuration.redis.replicaID)), ("telemetry.sdk.name", .string("agentd")),
                ("telemetry.sdk.language", .string("swift")),
            ],
            version: AgentdVersion.current
        )
    }
}

struct AgentApp: Sendable {
    let router: Router
    let metrics: AgentdMetrics
    let accessLog: AccessLog
    let server: ServerSlot
    let tasks: TaskService
    let openTasks: @Sendable () -> Void
    /// Shared state's Redis client, when configured: its connections are hosted by the server's loops.
    var redis: RedisClient?
    /// AGENTD_OTLP_ENDPOINT's tracer: what it still holds is exported at shutdown.
    var tracer: Tracer?
}

/// The running server, set once it listens (the metrics read its connection counts). Owner: the lock.
final class ServerSlot: Sendable {
    private let slot = Locked<HTTPServer?>(nil)
    var server: HTTPServer? { slot.withLock { $0 } }
    func set(_ server: HTTPServer) { slot.withLock { $0 = server } }
}

/// Engines without a thread of their own run on the event loops.
extension TransferEngine: EventLoopGuest {}

/// So do Redis connections: a request's Redis reply comes back on the loop that sent the command.
extension RedisConnection: EventLoopGuest {}
