import CAgentdSystem
import Glibc

/// Opens one ready connection to Redis: TCP (the host name resolved), TLS when the URL says `rediss://`,
/// `HELLO 3` with the credentials (RESP3; a server older than Redis 6 gets `AUTH` and RESP2), `SELECT`.
///
/// Blocking, with every step bounded by `timeoutMs`: it runs on the client's connector thread, never on an
/// event loop. The transport it returns is non-blocking again, ready for the connection's owner thread.
struct RedisHandshake {
    let url: RedisURL
    let tls: TLSSettings?
    let timeoutMs: Int
    var scripts: [RedisScript] = []
    /// The most bytes a handshake reply may take (HELLO's map is a few hundred).
    static let maxReplyBytes = 64 << 10

    /// The transport, the protocol version the server agreed to (3, or 2 for servers without HELLO), and how
    /// the server persists what it acknowledges.
    func connect() throws(RedisError) -> (transport: RedisTransport, protocolVersion: Int, persistence: RedisPersistence) {
        var reason = [CChar](repeating: 0, count: 256)
        let fd = agentd_connect_tcp_deadline(url.host, Int32(url.port), Int32(timeoutMs), &reason, Int32(reason.count))
        guard fd >= 0 else { throw .unavailable(reason: String(cString: reason)) }
        _ = agentd_set_nodelay(fd)
        guard agentd_set_nonblocking(fd, 0) == 0, agentd_set_io_timeouts(fd, Int32(timeoutMs)) == 0 else {
            close(fd)
            throw .unavailable(reason: "cannot set socket options: \(String(cString: strerror(errno)))")
        }
        let transport: RedisTransport
        if let tls {
            do {
                transport = try TLSTransport.connect(fd: fd, host: url.host, settings: tls)
            } catch {
                close(fd)
                throw error
            }
        } else {
            transport = PlainTransport(fd: fd)
        }
        do throws(RedisError) {
            let version = try greet(transport)
            if url.database != 0 {
                try expectOK(exchange(["SELECT", String(url.database)], on: transport), "SELECT \(url.database)")
            }
            let persistence = readPersistence(transport)
            for script in scripts {
                // Best effort: a server that refuses SCRIPT LOAD still runs EVAL, which NOSCRIPT falls back to.
                _ = try? exchange(["SCRIPT", "LOAD", script.source], on: transport)
            }
            guard agentd_set_nonblocking(fd, 1) == 0 else {
                throw RedisError.unavailable(reason: "cannot make the socket non-blocking: \(String(cString: strerror(errno)))")
            }
            return (transport, version, persistence)
        } catch {
            transport.close()
            throw error
        }
    }

    /// HELLO 3 [AUTH user password]; on a server without HELLO, AUTH (when there is a password) and RESP2.
    private func greet(_ transport: RedisTransport) throws(RedisError) -> Int {
        var hello = ["HELLO", "3"]
        if let password = url.password { hello += ["AUTH", url.user ?? "default", password] }
        let reply = try exchange(hello, on: transport)
        guard case .error(let message) = reply else { return 3 }
        let code = message.split(separator: " ").first ?? ""
        guard code == "ERR" && message.lowercased().contains("unknown command") || code == "NOPROTO" else {
            throw .server(message: message)   // WRONGPASS, NOAUTH, …: the caller logs it as it is
        }
        if let password = url.password {
            let auth = url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            try expectOK(exchange(auth, on: transport), "AUTH")
        }
        return 2
    }

    /// `INFO persistence` (AOF on or off) and `CONFIG GET appendfsync`; a managed Redis that refuses either
    /// leaves that part unknown, which is no reason to refuse the connection.
    private func readPersistence(_ transport: RedisTransport) -> RedisPersistence {
        var persistence = RedisPersistence()
        if let info = try? exchange(["INFO", "persistence"], on: transport).string {
            for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("aof_enabled:") {
                persistence.appendOnly = line.hasSuffix(":1")
            }
        }
        if let reply = try? exchange(["CONFIG", "GET", "appendfsync"], on: transport) {
            switch reply {
            case .map(let pairs): persistence.appendFsync = pairs.first?.value.string
            case .array(let items) where items.count == 2: persistence.appendFsync = items[1].string
            default: break
            }
        }
        return persistence
    }

    private func expectOK(_ reply: RESPValue, _ command: String) throws(RedisError) {
        if case .error(let message) = reply { throw .server(message: message) }
        guard reply == .simpleString("OK") else { throw .unexpectedReply("\(command) answered \(reply)") }
    }

    /// Sends one command and reads its reply, blocking (the socket's I/O timeouts bound each call).
    private func exchange(_ arguments: [String], on transport: RedisTransport) throws(RedisError) -> RESPValue {
        var out: [UInt8] = []
        RESPEncoder.appendCommand(arguments, to: &out)
        var written = 0
        while written < out.count {
            let result = out.withUnsafeBytes { transport.write(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            switch result {
            case .transferred(let count): written += count
            case .wouldBlock: throw .timeout(milliseconds: timeoutMs)
            case .closed: throw .unavailable(reason: "the server closed the connection during the handshake")
            case .failed(let reason): throw .unavailable(reason: reason)
            }
        }
        var input: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            switch RESPParser.parse(input) {
            case .value(let value, _): return value
            case .failure(let error): throw .protocolViolation("\(error)")
            case .needMore: break
            }
            guard input.count < RedisHandshake.maxReplyBytes else { throw .protocolViolation("handshake reply too large") }
            let result = chunk.withUnsafeMutableBytes { transport.read(into: $0) }
            switch result {
            case .transferred(let count): input += chunk[..<count]
            case .wouldBlock: throw .timeout(milliseconds: timeoutMs)
            case .closed: throw .unavailable(reason: "the server closed the connection during the handshake")
            case .failed(let reason): throw .unavailable(reason: reason)
            }
        }
    }
}
