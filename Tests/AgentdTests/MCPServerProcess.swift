import Foundation
import Glibc
import RedisSupport

/// An MCP server from the official Python SDK (`Tests/mcp/server.py`) in the test venv (`.venv`, which
/// `scripts/test.sh` makes with the `mcp` package), on a free port. `kill()` is idempotent; `restart()` starts
/// it again on the same port (its sessions gone).
final class MCPServerProcess: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var python: URL { repository.appendingPathComponent(".venv/bin/python") }

    let port: Int
    let arguments: [String]
    private var process: Process?

    /// `mode`: "sse" (SSE answers, sessions) or "json" (JSON answers); `stateless`: no sessions.
    init(mode: String, stateless: Bool = false, port: Int? = nil) async throws {
        guard FileManager.default.isExecutableFile(atPath: MCPServerProcess.python.path) else {
            throw MCPServerError.noVenv(MCPServerProcess.python.path)
        }
        self.port = try port ?? RedisServerProcess.freePort()
        arguments = [MCPServerProcess.repository.appendingPathComponent("Tests/mcp/server.py").path, String(self.port), mode]
            + (stateless ? ["stateless"] : [])
        try await launch()
    }

    var url: String { "http://127.0.0.1:\(port)/mcp" }

    private func launch() async throws {
        let process = Process()
        process.executableURL = MCPServerProcess.python
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Up once the port accepts connections (bounded: 15 s, the SDK's import takes a second or two).
        let port = self.port
        guard await waitUntil(.seconds(15), interval: .milliseconds(50), { MCPServerProcess.accepts(port) }) else {
            kill()
            throw MCPServerError.didNotStart(port)
        }
    }

    func restart() async throws {
        kill()
        try await launch()
    }

    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { kill() }
}

enum MCPServerError: Error, CustomStringConvertible {
    case noVenv(String)
    case didNotStart(Int)

    var description: String {
        switch self {
        case .noVenv(let path): "no \(path): run scripts/test.sh, which makes the venv with the MCP Python SDK (mcp)"
        case .didNotStart(let port): "the MCP test server did not listen on \(port) within 15 s"
        }
    }
}

extension MCPServerProcess {
    /// Whether something accepts connections on 127.0.0.1:`port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
