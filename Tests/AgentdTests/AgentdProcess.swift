import Foundation
import Glibc
import Synchronization
import Locks

/// The built `agentd` binary run as a child process, with its standard output and error collected.
///
/// Owner: the test that made it; not shared between tasks. Every wait is bounded by a deadline, and `kill()`
/// (idempotent, meant for `defer`) makes sure no child outlives its test.
final class AgentdProcess {
    /// How the child ended.
    enum Exit: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case .exited(let status): return "exit status \(status)"
            case .signalled(let number): return "signal \(number)"
            }
        }
    }

    /// A short command's whole result: `agentd --help`, or a start that fails on its configuration.
    struct Finished {
        let exit: Exit
        let standardOutput: String
        let standardError: String
    }

    let process: Process
    /// The port the child was told to listen on, when it serves.
    let port: Int
    let standardOutput: OutputCollector
    let standardError: OutputCollector
    private let exitRecord = ExitRecord()

    /// `agentd` in the products directory of this test bundle (`.build/<triple>/<config>/`): the test target
    /// depends on the executable target, so SwiftPM builds it there before the tests run.
    static let binaryURL: URL = {
        let testExecutable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: testExecutable).deletingLastPathComponent().appendingPathComponent("agentd")
    }()

    /// The test runner's environment without any `AGENTD_*` variable, plus `overrides`: a developer's shell
    /// settings must not change what the tests see.
    static func environment(_ overrides: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AGENTD_") }
        // A task journal of its own, never ./data in the working tree (a test that restarts on the same journal
        // passes its directory).
        environment["AGENTD_DATA_DIR"] = temporaryDataDirectory()
        environment.merge(overrides) { _, override in override }
        return environment
    }

    /// A new empty directory under the system's temporary directory.
    static func temporaryDataDirectory() -> String {
        let path = NSTemporaryDirectory() + "agentd-test-data-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts the binary; returns at once.
    init(arguments: [String], environment: [String: String], port: Int = 0) throws {
        let process = Process()
        process.executableURL = AgentdProcess.binaryURL
        process.arguments = arguments
        process.environment = AgentdProcess.environment(environment)
        process.standardInput = FileHandle.nullDevice
        let outputPipe = Pipe(), errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        let exitRecord = self.exitRecord
        process.terminationHandler = { finished in
            let exit: Exit = finished.terminationReason == .exit
                ? .exited(finished.terminationStatus) : .signalled(finished.terminationStatus)
            exitRecord.record(exit)
        }
        self.process = process
        self.port = port
        standardOutput = OutputCollector(outputPipe.fileHandleForReading)
        standardError = OutputCollector(errorPipe.fileHandleForReading)
        try process.run()
        // The child holds its own copies of the write ends; ours must go, or the readers never see EOF.
        try? outputPipe.fileHandleForWriting.close()
        try? errorPipe.fileHandleForWriting.close()
    }

    deinit { kill() }

    /// Runs a command that should end by itself (within `timeout`) and returns its exit and output.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(10)
    ) async throws -> Finished {
        let child = try AgentdProcess(arguments: arguments, environment: environment)
        defer { child.kill() }
        guard let exit = await child.waitForExit(timeout: timeout) else {
            throw AgentdProcessError.stillRunning(arguments: arguments, after: timeout)
        }
        await child.standardOutput.waitForEnd(timeout: .seconds(5))
        await child.standardError.waitForEnd(timeout: .seconds(5))
        return Finished(exit: exit, standardOutput: child.standardOutput.text, standardError: child.standardError.text)
    }

    /// Starts `agentd` serving on a free loopback port and returns once `GET /health/live` answers 200.
    ///
    /// The port is found by binding port 0 and closing the socket, so another process may take it before
    /// agentd binds; a start that fails to listen is therefore retried on a new port (a few times only).
    static func serve(_ environment: [String: String] = [:]) async throws -> AgentdProcess {
        var failures: [String] = []
        for _ in 0..<3 {
            let port = try LoopbackPort.free()
            var settings = environment
            settings["AGENTD_PORT"] = String(port)
            let child = try AgentdProcess(arguments: [], environment: settings, port: port)
            if try await child.waitUntilLive() {
                await child.waitUntilJournalReplayed()
                return child
            }
            child.kill()
            await child.standardError.waitForEnd(timeout: .seconds(2))
            failures.append("port \(port): \(child.exit.map(\.description) ?? "no answer"): \(child.standardError.text)")
        }
        throw AgentdProcessError.didNotStart(failures)
    }

    var exit: Exit? { exitRecord.exit }

    /// Sends `number` to the child, if it still runs.
    func signal(_ number: Int32) {
        guard exit == nil else { return }
        Glibc.kill(process.processIdentifier, number)
    }

    /// Waits (bounded) until readiness no longer says the task journal is being replayed: tests start from a
    /// settled process (a sanitizer build replays slowly), whatever readiness then says.
    func waitUntilJournalReplayed(tries: Int = 400) async {
        for _ in 0..<tries {
            guard exit == nil, let response = try? HTTPTestClient.send("GET", "/health/ready", port: port, timeoutMs: 1000),
                response.bodyText.contains("replaying")
            else { return }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Polls `GET /health/live` until it answers 200 (true), or the child ends or the tries run out (false).
    func waitUntilLive(tries: Int = 400, interval: Duration = .milliseconds(25)) async throws -> Bool {
        for _ in 0..<tries {
            if exit != nil { return false }
            if let response = try? HTTPTestClient.send("GET", "/health/live", port: port, timeoutMs: 1000),
                response.status == 200 {
                return true
            }
            try await Task.sleep(for: interval)
        }
        return false
    }

    /// How the child ended, once it has; nil if it still runs after `timeout`.
    func waitForExit(timeout: Duration, interval: Duration = .milliseconds(10)) async -> Exit? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exit { return exit }
            try? await Task.sleep(for: interval)
        }
        return exit
    }

    /// Ends the child at once (SIGKILL) if it still runs, and reaps it. Safe to call more than once.
    func kill() {
        guard process.processIdentifier > 0 else { return }  // never launched: `run()` threw
        if exit == nil && process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}

/// Where the termination handler, on Foundation's thread, leaves how the child ended.
private final class ExitRecord: Sendable {
    private let state = Locked<AgentdProcess.Exit?>(nil)

    var exit: AgentdProcess.Exit? { state.withLock { $0 } }

    func record(_ exit: AgentdProcess.Exit) { state.withLock { $0 = exit } }
}

enum AgentdProcessError: Error, CustomStringConvertible {
    case stillRunning(arguments: [String], after: Duration)
    case didNotStart([String])

    var description: String {
        switch self {
        case .stillRunning(let arguments, let after): return "agentd \(arguments) still runs after \(after)"
        case .didNotStart(let failures): return "agentd did not start: \(failures.joined(separator: "; "))"
        }
    }
}

/// Everything a child process writes to one pipe, read on a thread of its own so the child never blocks on
/// a full pipe.
///
/// Owner: the reading thread appends under the mutex; tests read snapshots. The file handle is kept by the
/// thread until end of file, so the descriptor stays open while it is read.
final class OutputCollector: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var ended = false
    }

    private let state = Locked(State())

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                self.state.withLock { $0.bytes.append(contentsOf: buffer[0..<count]) }
            }
            self.state.withLock { $0.ended = true }
            _ = handle
        }
    }

    /// What was written so far, as UTF-8 (invalid bytes replaced).
    var text: String { String(decoding: state.withLock { $0.bytes }, as: UTF8.self) }

    /// The complete lines written so far (a line still being written is left out).
    var lines: [String] {
        let text = self.text
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the last newline: empty, or a partial line
        return lines
    }

    /// Whether the writer closed the pipe (the child ended, with every descendant holding it).
    var ended: Bool { state.withLock { $0.ended } }

    /// Waits until the pipe closes or `timeout` passes; returns whether it closed.
    @discardableResult
    func waitForEnd(timeout: Duration, interval: Duration = .milliseconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !ended && ContinuousClock.now < deadline {
            try? await Task.sleep(for: interval)
        }
        return ended
    }

    /// The first complete line that satisfies `predicate`, waiting for it up to `timeout`.
    func waitForLine(
        timeout: Duration = .seconds(5), interval: Duration = .milliseconds(10), where predicate: (String) -> Bool
    ) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let wasEnded = ended  // read before the lines, so the last line before the end is seen
            if let line = lines.first(where: predicate) { return line }
            if wasEnded || ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: interval)
        }
    }
}
