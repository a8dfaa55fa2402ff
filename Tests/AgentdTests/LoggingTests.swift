import Foundation
import Testing
@testable import agentd

/// agentd's logs (docs/api.md, Observability surface, Logs): one JSON object per line on stdout with `ts`, `level` and
/// `msg`; text for people with `AGENTD_LOG_FORMAT=text`; nothing below `AGENTD_LOG_LEVEL`.
@Suite("agentd's logs")
struct LoggingTests {
    static let levels: Set<String> = ["debug", "info", "warning", "error"]

    @Test("every stdout line is a JSON object with ts, level and msg; the first says where it listens")
    func jsonLines() async throws {
        let server = try await AgentdProcess.serve()
        defer { server.kill() }
        _ = try HTTPTestClient.send("GET", "/health/live", port: server.port)
        _ = try HTTPTestClient.send("GET", "/missing", port: server.port)

        let listening = await server.standardOutput.waitForLine { $0.contains("\"listening\"") }
        server.signal(SIGTERM)
        #expect(await server.waitForExit(timeout: .seconds(10)) == .exited(0))
        #expect(await server.standardOutput.waitForEnd(timeout: .seconds(5)))

        #expect(listening != nil, "no listening line in: \(server.standardOutput.text)")
        let lines = server.standardOutput.lines
        #expect(!lines.isEmpty)
        #expect(server.standardOutput.text.hasSuffix("\n"), "the last line is complete")
        for line in lines {
            let object = try #require(jsonObject(line), "not a JSON object: \(line)")
            let ts = try #require(object["ts"] as? String, "no ts: \(line)")
            #expect(isRFC3339UTC(ts), "ts is not RFC 3339 UTC: \(ts)")
            #expect(Self.levels.contains(object["level"] as? String ?? ""), "level: \(line)")
            #expect((object["msg"] as? String)?.isEmpty == false, "msg: \(line)")
        }
        let first = try #require(lines.first.flatMap(jsonObject))
        #expect(first["msg"] as? String == "listening")
        #expect(first["level"] as? String == "info")
        #expect(first["port"] as? Int == server.port)
        #expect(first["host"] as? String == "127.0.0.1")
        #expect(first["version"] as? String == AgentdVersion.current)
        #expect(lines.contains { jsonObject($0)?["msg"] as? String == "stopped" }, "stopped line: \(lines)")
    }

    @Test("AGENTD_LOG_FORMAT=text writes lines that are not JSON: ts LEVEL msg key=value")
    func textLines() async throws {
        let server = try await AgentdProcess.serve(["AGENTD_LOG_FORMAT": "text"])
        defer { server.kill() }

        let listening = try #require(
            await server.standardOutput.waitForLine { $0.contains("listening") },
            "no listening line in: \(server.standardOutput.text)"
        )

        #expect(jsonObject(listening) == nil)
        #expect(!listening.hasPrefix("{"))
        let words = listening.split(separator: " ").map(String.init)
        #expect(words.count >= 3)
        #expect(isRFC3339UTC(words.first ?? ""), "starts with the time: \(listening)")
        #expect(words.dropFirst().first == "INFO")
        #expect(words.dropFirst(2).first == "listening")
        #expect(words.contains("port=\(server.port)"), "port field: \(listening)")
        for line in server.standardOutput.lines { #expect(jsonObject(line) == nil, "JSON in text mode: \(line)") }
    }

    @Test("AGENTD_LOG_LEVEL=warning leaves out the info lines of a whole start and stop")
    func levelFilters() async throws {
        let server = try await AgentdProcess.serve(["AGENTD_LOG_LEVEL": "warning"])
        defer { server.kill() }
        #expect(try HTTPTestClient.send("GET", "/health/live", port: server.port).status == 200)

        server.signal(SIGTERM)
        #expect(await server.waitForExit(timeout: .seconds(10)) == .exited(0))
        #expect(await server.standardOutput.waitForEnd(timeout: .seconds(5)))

        // A clean start and stop logs only at info: listening, shutting down, stopped.
        #expect(server.standardOutput.text.isEmpty, "stdout: \(server.standardOutput.text)")
        #expect(server.standardError.text.isEmpty, "stderr: \(server.standardError.text)")
    }

    @Test("AGENTD_LOG_LEVEL=debug still writes the info lines")
    func debugIncludesInfo() async throws {
        let server = try await AgentdProcess.serve(["AGENTD_LOG_LEVEL": "debug"])
        defer { server.kill() }

        let listening = await server.standardOutput.waitForLine { jsonObject($0)?["msg"] as? String == "listening" }

        #expect(listening != nil, "stdout: \(server.standardOutput.text)")
    }

    private func jsonObject(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// `2026-11-22T11:09:26.472Z`, fractional seconds optional.
    private func isRFC3339UTC(_ text: String) -> Bool {
        text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/) != nil
    }
}
