#ifndef AGENTD_COPENSSL_SHIM_H
#define AGENTD_COPENSSL_SHIM_H
// OpenSSL 3 (Debian's libssl-dev) for Swift: TLS to Redis (`rediss://`), and SHA-256, HMAC and the
// constant-time compare from libcrypto. Several of OpenSSL's calls are macros over SSL_ctrl/SSL_CTX_ctrl that
// Swift cannot import; the typed wrappers below stand in for them, one per macro, named after it.
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/// SSL_set_tlsext_host_name: the server name (SNI) sent in the ClientHello.
static inline int agentd_ssl_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
/// SSL_CTX_set_mode with partial writes and a moving write buffer: a non-blocking SSL_write may take part of
/// a buffer, and the retry may pass the same bytes at a new address (our outbound buffer grows).
static inline long agentd_ssl_ctx_allow_partial_writes(SSL_CTX *context) {
    return SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}
/// SSL_CTX_set_min_proto_version(TLS 1.2).
static inline int agentd_ssl_ctx_require_tls12(SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}
#endif
