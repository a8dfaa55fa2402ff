// swift-tools-version:6.0
import PackageDescription

// agentd has no package dependencies: only the toolchain's modules and system C libraries.
// Layers (dependencies point one way):
//   agentd → Server → HTTP
//   Server → CAgentdSystem (epoll, accept4, socket options Glibc does not export)
//   CCurl: libcurl for the LLM client layer; LLM → HTTP for the SSE parser (upstream streams)
//   agentd → Agent → (LLM, Resilience); agentd → (Metrics, Security); Resilience, Metrics depend on
//   nothing of ours but Locks; agentd → Tasks → (Resilience, Security)
//   Redis: our RESP client (COpenSSL for rediss://); RedisState: the Redis family of Agent's shared-state seams
//   agentd → RedisState → (Agent, Redis)
let strictSwift: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "agentd",
    products: [
        .executable(name: "agentd", targets: ["agentd"]),
        .executable(name: "mock-llm", targets: ["mock-llm"]),
        .executable(name: "agentd-microbench", targets: ["agentd-microbench"]),
    ],
    targets: [
        .target(name: "CAgentdSystem"),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // OpenSSL 3: TLS to Redis, and SHA-256/HMAC/constant-time compare for Security.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "HTTP", swiftSettings: strictSwift),
        .target(name: "JSON", swiftSettings: strictSwift),
        .target(name: "Locks", swiftSettings: strictSwift),
        .target(name: "Logging", dependencies: ["Locks"], swiftSettings: strictSwift),
        // Retry, circuit breaker, token bucket: generic over a clock, no I/O.
        .target(name: "Resilience", dependencies: ["Locks"], swiftSettings: strictSwift),
        // Registry, counter/gauge/histogram, Prometheus text exposition, process collector.
        .target(name: "Metrics", dependencies: ["Locks"], swiftSettings: strictSwift),
        // SHA-256, HMAC and the constant-time compare from libcrypto; API keys (kept hashed).
        .target(name: "Security", dependencies: ["COpenSSL"], swiftSettings: strictSwift),
        .target(name: "LLM", dependencies: ["CCurl", "CAgentdSystem", "HTTP", "JSON", "Locks"], swiftSettings: strictSwift),
        // The inbound wire formats (Anthropic Messages, OpenAI Responses): pure decoding of request bodies into
        // the internal chat types and encoding of answers and streams; no I/O.
        .target(name: "Inbound", dependencies: ["LLM", "JSON"], swiftSettings: strictSwift),
        // OpenTelemetry: W3C trace context, spans, the OTLP/HTTP JSON encoding, batching with a bounded queue.
        .target(name: "Tracing", dependencies: ["JSON", "Locks"], swiftSettings: strictSwift),
        .target(name: "Agent", dependencies: ["LLM", "JSON", "HTTP", "Locks", "Resilience", "Tracing"], swiftSettings: strictSwift),
        .target(name: "Server", dependencies: ["HTTP", "Logging", "Locks", "CAgentdSystem", "Tracing"], swiftSettings: strictSwift),
        // RESP2/RESP3 parser (pure), pipelined connections driven by event loops, TLS, scripts.
        .target(name: "Redis", dependencies: ["CAgentdSystem", "COpenSSL", "Locks"], swiftSettings: strictSwift),
        // The Redis implementations of the shared-state seams: limits, budgets, cache, conversations.
        .target(name: "MCP", dependencies: ["Agent", "HTTP", "LLM", "JSON", "Locks", "Logging", "Resilience", "Tracing"], swiftSettings: strictSwift),
        .target(
            name: "RedisState", dependencies: ["Agent", "Tasks", "Redis", "LLM", "JSON", "Locks", "Logging", "Resilience", "Security"], swiftSettings: strictSwift
        ),
        // Durable background tasks: the journal (length-prefixed, checksummed, group commit), the task store,
        // its workers and webhooks.
        .target(
            name: "Tasks", dependencies: ["LLM", "JSON", "Locks", "Logging", "Resilience", "Security"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "agentd",
            dependencies: [
                "Server", "HTTP", "Logging", "Agent", "LLM", "JSON", "Locks", "Resilience", "Metrics", "Security", "Tasks", "Redis",
                "RedisState", "MCP", "Inbound", "Tracing", "CAgentdSystem",
            ],
            // GET /openapi.json: the document, as data, compiled into the binary.
            resources: [.embedInCode("OpenAPI/openapi.json")],
            swiftSettings: strictSwift
        ),
        // bench/micro.sh: ns per limiter decision, counter increment and histogram observation.
        .executableTarget(
            name: "agentd-microbench", dependencies: ["Resilience", "Metrics", "Tasks", "LLM", "Locks", "Tracing"], path: "bench/MicroBench", swiftSettings: strictSwift
        ),
        .executableTarget(name: "mock-llm", dependencies: ["Server", "HTTP", "Logging", "Locks"], swiftSettings: strictSwift),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"], swiftSettings: strictSwift),
        .testTarget(name: "MCPTests", dependencies: ["MCP", "JSON"], swiftSettings: strictSwift),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "RedisSupport", "Locks", "CAgentdSystem"], swiftSettings: strictSwift),
        .testTarget(
            name: "SharedStateTests", dependencies: ["Agent", "RedisState", "Redis", "RedisSupport", "LLM", "Locks", "Logging", "Resilience", "Tasks", "JSON"],
            swiftSettings: strictSwift
        ),
        // Starts a real redis-server (plain or TLS) on a free port in a temporary directory, for the tests.
        .target(name: "RedisSupport", dependencies: ["CAgentdSystem"], path: "Tests/RedisSupport", swiftSettings: strictSwift),
        .testTarget(name: "TracingTests", dependencies: ["Tracing", "JSON", "Locks", "RedisSupport"], swiftSettings: strictSwift),
        .testTarget(name: "InboundTests", dependencies: ["HTTP", "Inbound", "LLM", "JSON"], swiftSettings: strictSwift),
        .testTarget(name: "LLMTests", dependencies: ["Locks", "LLM", "Server", "HTTP", "JSON", "mock-llm", "MockLLMSupport"], swiftSettings: strictSwift),
        .testTarget(name: "AgentTests", dependencies: ["Locks", "Agent", "LLM", "JSON", "Resilience"], swiftSettings: strictSwift),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strictSwift),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience"], swiftSettings: strictSwift),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], swiftSettings: strictSwift),
        .testTarget(name: "SecurityTests", dependencies: ["Security"], swiftSettings: strictSwift),
        .testTarget(
            name: "TasksTests", dependencies: ["Tasks", "Agent", "LLM", "Locks", "Logging", "Security", "Server", "HTTP", "CAgentdSystem", "Resilience"],
            swiftSettings: strictSwift
        ),
        // Starts the built mock-llm and talks to it; shared by the test targets that need an upstream. Test targets
        // that start mock-llm list it as a dependency without importing it: SwiftPM then builds it before them.
        .target(name: "MockLLMSupport", dependencies: ["CAgentdSystem", "Locks"], path: "Tests/MockLLMSupport", swiftSettings: strictSwift),
        .testTarget(name: "MockLLMTests", dependencies: ["mock-llm", "MockLLMSupport"], swiftSettings: strictSwift),
        .testTarget(name: "ServerTests", dependencies: ["Locks", "Server", "HTTP", "Logging", "CAgentdSystem"], swiftSettings: strictSwift),
        .testTarget(
            name: "AgentdTests",
            dependencies: ["Locks", "agentd", "Agent", "Server", "HTTP", "JSON", "LLM", "Logging", "CCurl", "mock-llm", "MockLLMSupport", "Resilience", "Security", "RedisSupport"],
            swiftSettings: strictSwift
        ),
    ]
)
