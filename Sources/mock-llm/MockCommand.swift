import Dispatch
import Glibc
import Logging
import Server

/// The command line: `mock-llm` serves; `--help` lists routes, variables and per-request knobs.
enum MockCommand {
    static func run(arguments: [String], environment: [String: String]) -> Int32 {
        switch arguments.dropFirst().first {
        case nil, "serve":
            return serve(environment: environment)
        case "--help", "-h", "help":
            print(helpText, terminator: "")
            return 0
        case let other?:
            writeStandardError("mock-llm: unknown argument \(other); run mock-llm --help\n")
            return 2
        }
    }

    static var helpText: String {
        var text = """
        mock-llm: an upstream LLM simulator speaking OpenAI's Chat Completions and Anthropic's Messages wire
        formats, with deterministic answers and fault injection, for agentd's tests, benchmarks and compose stack.

        Usage:
          mock-llm            serve (configuration from the environment)
          mock-llm --help     this text

        Routes:
          POST /v1/chat/completions   OpenAI Chat Completions (stream and non-stream, tools)
          POST /v1/messages           Anthropic Messages (anthropic-version header and max_tokens required)
          GET  /v1/models             model list (Anthropic's shape when anthropic-version is sent)
          GET  /health                {"ok":true}
          GET  /stats                 counters: requests by path and scenario, faults, streams
          POST /stats/reset           zero the counters (?scenarios=true also forgets times= state)

        Answers: "echo: <last user text>" cut to max_tokens words ("tool said: <content>" after a tool result);
        input tokens = ceil(characters of all message texts and system / 4), output tokens = words.

        Environment (default in brackets):

        """
        let width = MockConfiguration.settings.map(\.name.count).max() ?? 0
        for setting in MockConfiguration.settings {
            text += "  \(setting.name.padded(to: width))  \(setting.summary) [\(setting.defaultValue)]\n"
        }
        text += """

        Per-request knobs: options after '?' in the model name (gpt-4o-mini?fault=503&times=2&scenario=a),
        or headers, which win over the model name:

        """
        let optionWidth = MockOptions.knobs.map(\.option.count).max() ?? 0
        let headerWidth = MockOptions.knobs.map(\.header.count).max() ?? 0
        for knob in MockOptions.knobs {
            text += "  \(knob.option.padded(to: optionWidth))  \(knob.header.padded(to: headerWidth))  \(knob.summary)\n"
        }
        text += "\nA model name containing 'tool' also asks for a tool call when the request has tools.\n"
        return text
    }

    private static func serve(environment: [String: String]) -> Int32 {
        let configuration: MockConfiguration
        do {
            configuration = try MockConfiguration.load(from: environment)
        } catch {
            writeStandardError("\(error)\n")
            return 2
        }
        signal(SIGPIPE, SIG_IGN)
        raiseOpenFileLimit()
        let logger = Logger(minimumLevel: configuration.logLevel)
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let service = MockService(configuration: configuration, logger: logger, shardCount: max(2, cores))
        let server: HTTPServer
        do {
            server = try HTTPServer.start(configuration: configuration.server, handler: service.router(), logger: logger)
        } catch {
            logger.log(.error, "cannot listen", ["error": .string("\(error)")])
            writeStandardError("mock-llm: cannot listen on \(configuration.host):\(configuration.port): \(error)\n")
            return 1
        }
        // Clients learn the port from this line, so it is written whatever the log level.
        let startupLogger = configuration.logLevel > .info ? Logger(minimumLevel: .info) : logger
        startupLogger.log(.info, "listening", [
            "host": .string(configuration.host), "port": .int(server.port),
            "auth": .bool(configuration.apiKey != nil), "max_connections": .int(configuration.maxConnections),
        ])
        let stopped = DispatchSemaphore(value: 0)
        let signals = StopSignals(server: server, logger: logger, done: stopped)
        signals.install()
        stopped.wait()
        return 0
    }

    /// Thousands of held streams need as many descriptors: the soft limit goes up to the hard one.
    private static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    static func writeStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }
}

/// SIGTERM and SIGINT stop the server at once (a mock has nothing to drain) and exit 0; handled explicitly
/// because as PID 1 in a container the default action would ignore SIGTERM.
final class StopSignals: Sendable {
    private let server: HTTPServer
    private let logger: Logger
    private let done: DispatchSemaphore
    /// Written once by `install` before any signal can arrive; only kept alive after that.
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []

    init(server: HTTPServer, logger: Logger, done: DispatchSemaphore) {
        self.server = server
        self.logger = logger
        self.done = done
    }

    func install() {
        let queue = DispatchQueue(label: "mock-llm.signals")
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                logger.log(.info, "stopping", ["signal": .int(Int(number))])
                server.shutdown(gracePeriodMs: 0)
                done.signal()
            }
            source.resume()
            return source
        }
    }
}

extension String {
    func padded(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
