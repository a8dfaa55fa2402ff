import Foundation
import Glibc
import Synchronization
import Locks

/// The built `mock-llm` binary run as a child process on a free port, its output collected.
///
/// Owner: the test that started it. `kill()` (idempotent, meant for `defer`) makes sure no child outlives its
/// test; every wait is bounded.
public final class MockLLMProcess: @unchecked Sendable {
    public let process: Process
    /// The port from the `"msg":"listening"` log line; 0 before it was seen (or for a command that does not serve).
    public private(set) var port = 0
    public let standardOutput: PipeCollector
    public let standardError: PipeCollector

    /// `mock-llm` next to this test bundle: the test target depends on the executable, so SwiftPM builds it
    /// into the same products directory.
    public static let binaryURL: URL = {
        let testExecutable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: testExecutable).deletingLastPathComponent().appendingPathComponent("mock-llm")
    }()

    public init(arguments: [String] = [], environment overrides: [String: String] = [:]) throws {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MOCK_LLM_") }
        environment["MOCK_LLM_PORT"] = "0"
        environment.merge(overrides) { _, new in new }
        let process = Process()
        process.executableURL = MockLLMProcess.binaryURL
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let outputPipe = Pipe(), errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        self.process = process
        standardOutput = PipeCollector(outputPipe.fileHandleForReading)
        standardError = PipeCollector(errorPipe.fileHandleForReading)
        try process.run()
        // The child has its own copies of the write ends; ours must go, or the readers never see EOF.
        try? outputPipe.fileHandleForWriting.close()
        try? errorPipe.fileHandleForWriting.close()
    }

    deinit { kill() }

    /// Starts the server on port 0 and returns once its listening line told the port.
    public static func start(_ environment: [String: String] = [:]) async throws -> MockLLMProcess {
        let child = try MockLLMProcess(environment: environment)
        guard let line = await child.standardOutput.waitForLine(timeout: .seconds(10), where: { $0.contains("\"msg\":\"listening\"") }),
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let port = object["port"] as? Int, port > 0
        else {
            child.kill()
            throw MockProcessError.didNotStart(child.standardError.text + child.standardOutput.text)
        }
        child.port = port
        return child
    }

    /// Runs a command that ends by itself and returns its exit status and output.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String, error: String) {
        let child = try MockLLMProcess(arguments: arguments, environment: environment)
        defer { child.kill() }
        let deadline = ContinuousClock.now + .seconds(10)
        while child.process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard !child.process.isRunning else { throw MockProcessError.stillRunning(arguments) }
        await child.standardOutput.waitForEnd(timeout: .seconds(5))
        await child.standardError.waitForEnd(timeout: .seconds(5))
        return (child.process.terminationStatus, child.standardOutput.text, child.standardError.text)
    }

    /// Ends the child at once (SIGKILL) if it still runs, and reaps it. Safe to call more than once.
    public func kill() {
        guard process.processIdentifier > 0 else { return }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    // MARK: Conveniences over a fresh connection each

    public func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: String = ""
    ) throws -> MockHTTPClient.Response {
        let client = try MockHTTPClient(port: port)
        client.send(method, path, headers: headers, body: body)
        return try client.readResponse()
    }

    /// `GET /stats` as a dictionary.
    public func stats() throws -> [String: Any] {
        try request("GET", "/stats").json()
    }

    /// Polls `/stats` every 10 ms until `condition` holds or `timeout` passes; returns whether it held.
    public func waitForStats(timeout: Duration = .seconds(5), _ condition: ([String: Any]) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(try stats()) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition(try stats())
    }
}

public enum MockProcessError: Error, CustomStringConvertible {
    case didNotStart(String)
    case stillRunning([String])

    public var description: String {
        switch self {
        case .didNotStart(let output): return "mock-llm did not start: \(output)"
        case .stillRunning(let arguments): return "mock-llm \(arguments) still runs"
        }
    }
}

/// Everything a child writes to one pipe, read on a thread of its own so the child never blocks on it.
/// Owner: the reading thread appends under the mutex; tests read snapshots.
public final class PipeCollector: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var ended = false
    }

    private let state = Locked(State())

    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                state.withLock { $0.bytes.append(contentsOf: buffer[0..<count]) }
            }
            state.withLock { $0.ended = true }
            _ = handle
        }
    }

    public var text: String { String(decoding: state.withLock { $0.bytes }, as: UTF8.self) }
    public var ended: Bool { state.withLock { $0.ended } }

    @discardableResult
    public func waitForEnd(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !ended && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return ended
    }

    /// The first complete line satisfying `predicate`, waiting up to `timeout`.
    public func waitForLine(timeout: Duration, where predicate: (String) -> Bool) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let wasEnded = ended
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if let line = lines.first(where: predicate) { return line }
            if wasEnded || ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
