import CAgentdSystem
import Foundation
import Glibc

/// A real `redis-server` (Debian's package) run by a test: a free port on loopback, a temporary directory of
/// its own, optionally a password, AOF, or TLS with certificates made for the test (`TestCertificates`).
///
/// Owner: the test that started it. `kill()` is idempotent (meant for `defer`; `deinit` calls it too) and
/// removes the directory; `crash()` kills it with SIGKILL and `restart()` starts it again on the same port and
/// directory (AOF replays), for the fault tests. Every wait is bounded.
public final class RedisServerProcess: @unchecked Sendable {
    public struct Options: Sendable {
        public var password: String?
        /// `appendonly yes` with `appendfsync always`: every acknowledged write is on disk.
        public var appendOnly = false
        /// Serve TLS only (`tls-port`, `port 0`), with a certificate for 127.0.0.1 and localhost.
        public var tls = false
        /// The names the TLS certificate holds.
        public var tlsNames = "IP:127.0.0.1,DNS:localhost"
        public var extraArguments: [String] = []

        public init(
            password: String? = nil, appendOnly: Bool = false, tls: Bool = false, tlsNames: String = "IP:127.0.0.1,DNS:localhost",
            extraArguments: [String] = []
        ) {
            self.password = password
            self.appendOnly = appendOnly
            self.tls = tls
            self.tlsNames = tlsNames
            self.extraArguments = extraArguments
        }
    }

    public static let binary = "/usr/bin/redis-server"
    public static let cliBinary = "/usr/bin/redis-cli"

    public let options: Options
    public let directory: URL
    public private(set) var port = 0
    public let certificates: TestCertificates?
    private var process: Process?
    private var removed = false

    /// `redis://[:password@]127.0.0.1:port` (or `rediss://`), what `AGENTD_REDIS_URL` takes.
    public var url: String {
        let scheme = options.tls ? "rediss" : "redis"
        let credentials = options.password.map { ":\($0)@" } ?? ""
        return "\(scheme)://\(credentials)127.0.0.1:\(port)"
    }

    public var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: RedisServerProcess.binary) }

    public init(_ options: Options = Options()) throws {
        guard FileManager.default.isExecutableFile(atPath: RedisServerProcess.binary) else {
            throw RedisProcessError.notInstalled
        }
        self.options = options
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentd-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificates = options.tls ? try TestCertificates(directory: directory, subjectAltName: options.tlsNames) : nil
        var lastError: Error = RedisProcessError.didNotStart("no attempt")
        for _ in 0..<5 {
            let candidate = try RedisServerProcess.freePort()
            do {
                try launch(port: candidate)
                port = candidate
                return
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    deinit { kill() }

    private func arguments(port: Int) -> [String] {
        var arguments = [
            "--bind", "127.0.0.1", "--dir", directory.path, "--save", "", "--daemonize", "no", "--protected-mode", "no",
            "--logfile", directory.appendingPathComponent("redis.log").path, "--loglevel", "notice",
        ]
        if let certificates {
            arguments += [
                "--port", "0", "--tls-port", String(port), "--tls-cert-file", certificates.serverCertificate,
                "--tls-key-file", certificates.serverKey, "--tls-ca-cert-file", certificates.authority, "--tls-auth-clients", "no",
            ]
        } else {
            arguments += ["--port", String(port)]
        }
        if let password = options.password { arguments += ["--requirepass", password] }
        arguments += options.appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]
        return arguments + options.extraArguments
    }

    private func launch(port: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RedisServerProcess.binary)
        process.arguments = arguments(port: port)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { break }
            if let reply = try? command(["PING"], port: port), reply.contains("PONG") || reply.contains("NOAUTH") { return }
            usleep(20_000)
        }
        stopProcess()
        let log = (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
        throw RedisProcessError.didNotStart(String(log.suffix(2000)))
    }

    /// Runs one command through `redis-cli` and returns its raw output (trimmed).
    public func command(_ arguments: [String]) throws -> String { try command(arguments, port: port) }

    private func command(_ arguments: [String], port: Int) throws -> String {
        var cli = ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning"]
        if let password = options.password { cli += ["-a", password] }
        if let certificates { cli += ["--tls", "--cacert", certificates.authority, "--sni", "localhost"] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RedisServerProcess.cliBinary)
        process.arguments = cli + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One numeric field of `INFO everything` (`total_connections_received` → 12, `errorstat_WRONGPASS`, whose
    /// value reads `count=3`, → 3); nil when Redis does not report it.
    public func info(_ field: String) throws -> Int? {
        for line in try command(["INFO", "everything"]).split(whereSeparator: \.isNewline) where line.hasPrefix(field + ":") {
            let value = line.dropFirst(field.count + 1)
            return Int(value.hasPrefix("count=") ? value.dropFirst(6).prefix { $0 != "," } : value)
        }
        return nil
    }

    /// `INFO commandstats` as calls per command (`evalsha` → 12).
    public func commandCalls() throws -> [String: Int] {
        var calls: [String: Int] = [:]
        for line in try command(["INFO", "commandstats"]).split(whereSeparator: \.isNewline) {
            guard line.hasPrefix("cmdstat_"), let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[line.index(line.startIndex, offsetBy: 8)..<colon])
            let fields = line[line.index(after: colon)...].split(separator: ",")
            if let field = fields.first(where: { $0.hasPrefix("calls=") }), let count = Int(field.dropFirst(6)) { calls[name] = count }
        }
        return calls
    }

    /// SIGKILL, as a crash: no shutdown save, clients see the connection drop.
    public func crash() { stopProcess() }

    /// SIGSTOP: the server keeps its connections but answers nothing (a hung Redis); `resume()` undoes it.
    public func pause() { if let process, process.isRunning { Glibc.kill(process.processIdentifier, SIGSTOP) } }
    public func resume() { if let process, process.isRunning { Glibc.kill(process.processIdentifier, SIGCONT) } }

    /// Starts the server again on the same port and directory (its AOF, if on, replays).
    public func restart() throws {
        stopProcess()
        try launch(port: port)
    }

    /// Ends the server and removes its directory. Safe to call more than once.
    public func kill() {
        stopProcess()
        if !removed {
            removed = true
            try? FileManager.default.removeItem(at: directory)
        }
    }

    private func stopProcess() {
        guard let process, process.processIdentifier > 0 else { return }
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGCONT)
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        self.process = nil
    }

    /// A port the kernel just gave out on 127.0.0.1 (bound, read, closed): free unless someone takes it now.
    public static func freePort() throws -> Int {
        let fd = agentd_listen_tcp("127.0.0.1", 0, 1, 0)
        guard fd >= 0 else { throw RedisProcessError.didNotStart("no free port: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return Int(agentd_local_port(fd))
    }
}

public enum RedisProcessError: Error, CustomStringConvertible {
    case notInstalled
    case didNotStart(String)
    case certificates(String)

    public var description: String {
        switch self {
        case .notInstalled: "redis-server is not installed (scripts/test.sh installs Debian's redis-server)"
        case .didNotStart(let log): "redis-server did not start: \(log)"
        case .certificates(let output): "openssl could not make the test certificates: \(output)"
        }
    }
}
