import COpenSSL
import Glibc

/// The TLS settings shared by a client's connections: OpenSSL's `SSL_CTX`, TLS 1.2 at least, the peer's
/// certificate verified against the system's CA store or `caFile` (`AGENTD_REDIS_CA_FILE`).
///
/// Owner: none after `init`; OpenSSL makes an `SSL_CTX` safe to share once configured (each connection gets
/// its own `SSL` from it). Freed with the client.
public final class TLSSettings: @unchecked Sendable {
    let context: OpaquePointer

    public init(caFile: String?) throws(RedisError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .unavailable(reason: "TLS: SSL_CTX_new failed: \(TLSSettings.lastError())")
        }
        self.context = context
        _ = agentd_ssl_ctx_require_tls12(context)
        _ = agentd_ssl_ctx_allow_partial_writes(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let loaded = caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard loaded == 1 else {
            throw .unavailable(reason: "TLS: cannot load the CA certificates \(caFile ?? "of the system"): \(TLSSettings.lastError())")
        }
    }

    deinit { SSL_CTX_free(context) }

    /// The oldest error on this thread's OpenSSL error queue, as text; clears the queue.
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no detail from OpenSSL" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// TLS over a connected TCP socket, through OpenSSL's `SSL` on the descriptor.
///
/// Owner: as `RedisTransport` says: the connector thread while `handshake` runs (the socket blocking with
/// I/O timeouts), then the connection's owner thread. OpenSSL's error queue is per thread, so every call
/// clears it first.
final class TLSTransport: RedisTransport {
    let fd: Int32
    let shortReadDrains = false
    private let ssl: OpaquePointer
    private(set) var wantsWritable = false
    private var closed = false

    private init(fd: Int32, ssl: OpaquePointer) {
        self.fd = fd
        self.ssl = ssl
    }

    /// Connects TLS on `fd` (blocking): sends SNI for a host name, and verifies that the certificate chains
    /// to a trusted CA and names `host` (a DNS name or an IP address, RFC 6125). On failure nothing is left
    /// to free but `fd`, which stays the caller's to close.
    static func connect(fd: Int32, host: String, settings: TLSSettings) throws(RedisError) -> TLSTransport {
        ERR_clear_error()
        guard let ssl = SSL_new(settings.context) else {
            throw .unavailable(reason: "TLS: SSL_new failed: \(TLSSettings.lastError())")
        }
        SSL_set_fd(ssl, fd)
        let isAddress = host.contains(":") || host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || ($0 >= 0x30 && $0 <= 0x39) }
        if isAddress {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = agentd_ssl_set_server_name(ssl, host)
            SSL_set1_host(ssl, host)
        }
        guard SSL_connect(ssl) == 1 else {
            let verify = SSL_get_verify_result(ssl)
            let detail = verify != X509_V_OK
                ? "certificate verification failed: \(String(cString: X509_verify_cert_error_string(verify)))"
                : TLSSettings.lastError()
            SSL_free(ssl)
            throw .unavailable(reason: "TLS handshake with \(host) failed: \(detail)")
        }
        return TLSTransport(fd: fd, ssl: ssl)
    }

    deinit {
        close()
        SSL_free(ssl)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if count > 0 {
            wantsWritable = false
            return .transferred(Int(count))
        }
        return failure(of: count, operation: "read")
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        ERR_clear_error()
        let count = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
        if count > 0 {
            wantsWritable = Int(count) < bytes.count
            return .transferred(Int(count))
        }
        return failure(of: count, operation: "write")
    }

    private func failure(of result: Int32, operation: String) -> TransportResult {
        let savedErrno = errno
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ:
            wantsWritable = false
            return .wouldBlock
        case SSL_ERROR_WANT_WRITE:
            wantsWritable = true
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            if savedErrno == 0 { return .closed }
            if savedErrno == EAGAIN || savedErrno == EWOULDBLOCK { return .wouldBlock }
            return .failed("TLS \(operation): \(String(cString: strerror(savedErrno)))")
        default:
            return .failed("TLS \(operation): \(TLSSettings.lastError())")
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)   // a close_notify, without waiting for the peer's
        Glibc.close(fd)
    }
}
