import Dispatch
import Glibc
import LLM
import Logging
import Server

/// The command line (docs/operations.md, "1. Deploy"): `agentd` serves; `healthcheck` probes a running one; `config`
/// prints the effective configuration; `--help` and `--version` describe it. Configuration errors exit 2.
enum AgentdCommand {
    static func run(arguments: [String], environment: [String: String]) -> Int32 {
        let rest = Array(arguments.dropFirst().dropFirst())
        switch arguments.dropFirst().first {
        case nil, "serve":
            guard rest.isEmpty else { return usageError("serve takes no arguments (configuration comes from the environment)") }
            return serve(environment: environment)
        case "healthcheck":
            return HealthcheckCommand.run(arguments: rest, environment: environment)
        case "config":
            if rest == ["--table"] {
                print(Configuration.markdownTable, terminator: "")
                return 0
            }
            guard rest.isEmpty else { return usageError("config takes no arguments but --table") }
            return printConfiguration(environment: environment)
        case "--help", "-h", "help":
            print(helpText)
            return 0
        case "--version", "version":
            print("agentd \(AgentdVersion.current)")
            return 0
        case let other?:
            return usageError("unknown command \(other)")
        }
    }

    private static func usageError(_ problem: String) -> Int32 {
        FileHandleStandardError.write("agentd: \(problem); run agentd --help\n")
        return 2
    }

    /// `agentd config`: validates like a start would (exit 2 on a bad value) and prints the JSON.
    private static func printConfiguration(environment: [String: String]) -> Int32 {
        do {
            let configuration = try Configuration.load(from: environment)
            print(String(decoding: configuration.effectiveJSON(environment: environment).serialized(), as: UTF8.self))
            return 0
        } catch {
            FileHandleStandardError.write("\(error)\n")
            return 2
        }
    }

    static var helpText: String {
        var text = """
        agentd \(AgentdVersion.current): a self-hosted daemon serving AI agents over HTTP.

        Usage:
          agentd                         serve (configuration from the environment); also `agentd serve`
          agentd healthcheck [--url URL] exit 0 when GET /health/live answers 200 (default: this
                                         configuration's port on 127.0.0.1), else 1; for Docker's HEALTHCHECK
          agentd config                  the effective configuration as JSON, secrets redacted (exit 2 on a bad value)
          agentd config --table          every variable as a Markdown table (README.md, docs/configuration.md)
          agentd --help                  this text
          agentd --version               the version

        Signals: SIGTERM or SIGINT fail readiness at once, serve AGENTD_DRAIN_DELAY_S more seconds, close the
        listener, let requests, streams and running tasks finish within AGENTD_SHUTDOWN_GRACE_S, sync the task
        journal and exit 0; a second signal exits at once (status 1).

        Environment (default in brackets):

        """
        let width = Configuration.settings.map(\.name.count).max() ?? 0
        for setting in Configuration.settings {
            let padding = String(repeating: " ", count: width - setting.name.count)
            let accepted = setting.accepted.isEmpty ? "" : "; \(setting.accepted)"
            text += "  \(setting.name)\(padding)  \(setting.summary)\(accepted) [\(setting.defaultValue)]\n"
        }
        return text
    }

    private static func serve(environment: [String: String]) -> Int32 {
        let configuration: Configuration
        do {
            configuration = try Configuration.load(from: environment)
        } catch {
            FileHandleStandardError.write("\(error)\n")
            return 2
        }
        signal(SIGPIPE, SIG_IGN)
        let logger = Logger(minimumLevel: configuration.logLevel, format: configuration.logFormat, sink: BufferedOutputSink())
        let lifecycle = Lifecycle()
        let app: AgentApp
        let engines: TransferEnginePool
        do {
            engines = try AgentCore.engines(configuration: configuration)
        } catch {
            FileHandleStandardError.write("\(error)\n")
            return 2
        }
        do {
            app = try AgentCore.build(configuration: configuration, lifecycle: lifecycle, engines: engines, logger: logger, redisOnLoops: true)
        } catch {
            engines.shutdown()
            FileHandleStandardError.write("\(error)\n")
            return 2
        }
        let server: HTTPServer
        do {
            // The first line says where agentd listens, written before any connection is served (lines of other
            // threads could otherwise come out first: each thread has its own log buffer) and before anything
            // that logs on other threads starts (Redis' connector).
            server = try HTTPServer.start(
                configuration: configuration.server, handler: app.router, logger: logger, exchangeObserver: app.accessLog
            ) { port in
                logger.log(.info, "listening", [
                    "host": .string(configuration.host), "port": .int(port), "version": .string(AgentdVersion.current),
                    "replica": .string(configuration.redis.replicaID),
                ])
                logger.flush()
            }
        } catch {
            engines.shutdown()
            logger.log(.error, "cannot listen", ["error": .string("\(error)")])
            logger.flush()
            FileHandleStandardError.write("agentd: cannot listen on \(configuration.host):\(configuration.port): \(error)\n")
            return 1
        }
        app.server.set(server)
        // Redis first: a loop runs its guests in the order hosted, so a Redis reply that starts an upstream
        // call has it begun by the engine in the same pass, not one loop iteration later.
        if let redis = app.redis { AgentCore.host(redis, on: server) }
        AgentCore.host(engines, on: server)
        lifecycle.enter(.serving)
        // Readiness says "replaying the task journal" until the store is open.
        app.openTasks()
        let stopped = DispatchSemaphore(value: 0)
        let shutdown = GracefulShutdown(
            server: server, tasks: app.tasks, lifecycle: lifecycle, logger: logger,
            drainDelayS: configuration.drainDelayS, graceS: configuration.shutdownGraceS, done: stopped, tracer: app.tracer
        )
        shutdown.installSignalHandlers()
        stopped.wait()
        logger.flush()
        return 0
    }
}

/// Writes to standard error without buffering.
enum FileHandleStandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }
}
