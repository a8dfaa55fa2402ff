import Foundation
import Glibc
import LLM
import Testing

/// An HTTPS upstream that speaks HTTP/2 (nginx from Debian's packages, with a certificate made for the test):
/// concurrent calls share one connection, and a private CA is trusted through `caFile`.
@Suite struct HTTP2MultiplexingTests {
    /// nginx serving `{"ok":true}` over TLS with HTTP/2 on 127.0.0.1, in a temporary directory of its own, and
    /// on `plainPort` over plain http; on both, `/accept-encoding` answers with the request's `Accept-Encoding`.
    final class TLSUpstream {
        let directory: URL
        let port: Int
        let plainPort: Int
        let process: Process

        var caFile: String { directory.appendingPathComponent("cert.pem").path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("h2-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try TLSUpstream.run("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory.appendingPathComponent("key.pem").path,
                "-out", directory.appendingPathComponent("cert.pem").path,
            ])
            port = try TLSUpstream.freePort()
            plainPort = try TLSUpstream.freePort()
            let configuration = """
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path \(directory.path);
              server {
                listen 127.0.0.1:\(port) ssl http2;
                ssl_certificate \(directory.path)/cert.pem;
                ssl_certificate_key \(directory.path)/key.pem;
                location / { default_type application/json; return 200 '{"ok":true}'; }
                location = /accept-encoding { default_type text/plain; return 200 '[$http_accept_encoding]'; }
              }
              server {
                listen 127.0.0.1:\(plainPort);
                location = /accept-encoding { default_type text/plain; return 200 '[$http_accept_encoding]'; }
              }
            }
            """
            try configuration.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
            process.arguments = ["-c", directory.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<200 {
                let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(port).bigEndian,
                                          sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                close(socket)
                if connected == 0 { return }
                usleep(20_000)
            }
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "nginx did not listen on \(port)"])
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }

        static func run(_ tool: String, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        }

        static func freePort() throws -> Int {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socket) }
            var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0,
                                      sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                    bind(socket, pointer, length)
                    return getsockname(socket, pointer, &length)
                }
            }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    @Test func concurrentCallsShareOneHTTP2Connection() throws {
        let upstream = try TLSUpstream()
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorders = (0..<20).map { _ in StreamRecorder() }
        for recorder in recorders {
            _ = engine.start(
                // GET: nginx's `return` answers a POST before reading its body and then resets the stream with
                // NO_ERROR (RFC 9113 §8.1 allows it); libcurl 7.88 sometimes reports that as a framing error when the
                // reset overtakes the body it is still sending, so under load one call in twenty failed. Real
                // providers read the request first; this test is about sharing one connection.
                TransferRequest(url: "https://127.0.0.1:\(upstream.port)/v1/chat/completions", method: "GET", caFile: upstream.caFile),
                callbacks: recorder.callbacks()
            )
        }
        #expect(eventually(timeoutMs: 10_000) { recorders.allSatisfy(\.finished) })
        #expect(recorders.allSatisfy { $0.failure == nil }, "\(recorders.compactMap(\.failure))")
        #expect(recorders.allSatisfy { $0.state.withLock { $0.head?.httpVersion } == 2 })
        #expect(recorders.allSatisfy { $0.text == #"{"ok":true}"# })
        // Twenty calls, one connection: the first opens it, the others wait for it and multiplex (PIPEWAIT).
        #expect(engine.connectionsOpened == 1)
    }

    @Test("compressed answers are offered to an https upstream, not to a plain-http one (same host or cluster)")
    func compressionOnlyOverTLS() throws {
        let upstream = try TLSUpstream()
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let tls = StreamRecorder(), plain = StreamRecorder()
        _ = engine.start(
            TransferRequest(url: "https://127.0.0.1:\(upstream.port)/accept-encoding", method: "GET", caFile: upstream.caFile),
            callbacks: tls.callbacks()
        )
        _ = engine.start(TransferRequest(url: "http://127.0.0.1:\(upstream.plainPort)/accept-encoding", method: "GET"), callbacks: plain.callbacks())
        #expect(eventually(timeoutMs: 10_000) { tls.finished && plain.finished })
        #expect(tls.text.contains("gzip"), "\(tls.text)")
        #expect(plain.text == "[]", "\(plain.text)")
    }

    @Test func anUntrustedCertificateIsAConnectFailure() throws {
        let upstream = try TLSUpstream()
        let engine = try TransferEngine()
        defer { engine.shutdown() }
        let recorder = StreamRecorder()
        _ = engine.start(TransferRequest(url: "https://127.0.0.1:\(upstream.port)/", method: "GET"), callbacks: recorder.callbacks())
        #expect(eventually(timeoutMs: 10_000) { recorder.finished })
        guard case .connectFailed? = recorder.failure else {
            Issue.record("expected a connect failure, got \(String(describing: recorder.result))")
            return
        }
    }
}
