import Dispatch
import Glibc
import LLM
import Logging
import Server

/// The command line: `agentd` serves; `--help` and `--version` describe it.
enum AgentdCommand {
    static func run(arguments: [String], environment: [String: String]) -> Int32 {
        switch arguments.dropFirst().first {
        case nil, "serve":
            return serve(environment: environment)
        case "--help", "-h", "help":
            print(helpText)
            return 0
        case "--version", "version":
            print("agentd \(AgentdVersion.current)")
            return 0
        case let other?:
            FileHandleStandardError.write("agentd: unknown command \(other); run agentd --help\n")
            return 2
        }
    }

    static var helpText: String {
        var text = """
        agentd \(AgentdVersion.current): a self-hosted daemon serving AI agents over HTTP.

        Usage:
          agentd              serve (configuration from the environment)
          agentd --help       this text
          agentd --version    the version

        Environment (default in brackets):

        """
        let width = Configuration.settings.map(\.name.count).max() ?? 0
        for setting in Configuration.settings {
            let padding = String(repeating: " ", count: width - setting.name.count)
            text += "  \(setting.name)\(padding)  \(setting.summary) [\(setting.defaultValue)]\n"
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
            app = try AgentCore.build(configuration: configuration, lifecycle: lifecycle, engines: engines, logger: logger)
        } catch {
            engines.shutdown()
            FileHandleStandardError.write("\(error)\n")
            return 2
        }
        let server: HTTPServer
        do {
            server = try HTTPServer.start(
                configuration: configuration.server, handler: app.router, logger: logger, exchangeObserver: app.accessLog
            )
        } catch {
            engines.shutdown()
            logger.log(.error, "cannot listen", ["error": .string("\(error)")])
            logger.flush()
            FileHandleStandardError.write("agentd: cannot listen on \(configuration.host):\(configuration.port): \(error)\n")
            return 1
        }
        app.server.set(server)
        AgentCore.host(engines, on: server)
        lifecycle.enter(.serving)
        // Readiness says "replaying the task journal" until the store is open.
        app.openTasks()
        logger.log(.info, "listening", [
            "host": .string(configuration.host), "port": .int(server.port), "version": .string(AgentdVersion.current),
        ])
        let stopped = DispatchSemaphore(value: 0)
        let shutdown = GracefulShutdown(
            server: server, tasks: app.tasks, lifecycle: lifecycle, logger: logger,
            drainDelayS: configuration.drainDelayS, graceS: configuration.shutdownGraceS, done: stopped
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
