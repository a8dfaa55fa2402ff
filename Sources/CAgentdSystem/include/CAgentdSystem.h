#ifndef AGENTD_SYSTEM_H
#define AGENTD_SYSTEM_H
// What Glibc does not export to Swift in a usable shape: epoll's packed event struct and flag macros,
// accept4, eventfd, TCP_NODELAY, SO_REUSEPORT, MSG_NOSIGNAL. Every symbol is prefixed `agentd_`.
#include <stdint.h>
#include <sys/types.h>

/// Flags for agentd_epoll_ctl, mirrored from <sys/epoll.h> so Swift sees plain integers.
extern const uint32_t agentd_EPOLLIN;
extern const uint32_t agentd_EPOLLOUT;
extern const uint32_t agentd_EPOLLRDHUP;
extern const uint32_t agentd_EPOLLHUP;
extern const uint32_t agentd_EPOLLERR;
extern const uint32_t agentd_EPOLLEXCLUSIVE;

/// One readiness event: the registered token (a file descriptor here) and the ready flags.
typedef struct {
    uint64_t token;
    uint32_t events;
} agentd_event;

int agentd_epoll_create(void);
/// EPOLL_CTL_ADD, EPOLL_CTL_MOD and EPOLL_CTL_DEL, one named function each (the raw op numbers are
/// easy to get wrong: DEL is 2, MOD is 3).
int agentd_epoll_add(int epfd, int fd, uint32_t events, uint64_t token);
int agentd_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token);
int agentd_epoll_delete(int epfd, int fd);
/// Waits for at most `capacity` events; returns their count, 0 on timeout, -1 with errno on error.
int agentd_epoll_wait(int epfd, agentd_event *events, int capacity, int timeout_ms);

/// A non-blocking, close-on-exec eventfd used to wake a loop from another thread.
int agentd_eventfd(void);
int agentd_eventfd_signal(int fd);
int agentd_eventfd_drain(int fd);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC. Writes the peer's printable address into `peer` (may be NULL).
int agentd_accept(int listen_fd, char *peer, int peer_capacity);

/// A bound, listening, non-blocking TCP socket for an IPv4 or IPv6 literal host, or -1 with errno set.
/// `reuse_port` sets SO_REUSEPORT so several loops can each hold a listener on the same port.
int agentd_listen_tcp(const char *host, int port, int backlog, int reuse_port);
/// The local port a socket is bound to, or -1.
int agentd_local_port(int fd);
/// A blocking TCP connection to host:port (tests and the healthcheck subcommand), or -1 with errno set.
int agentd_connect_tcp(const char *host, int port);

/// A connected, non-blocking TCP socket to `host` (a name or a literal, resolved with getaddrinfo, so call
/// it off the event loops) and `port`, trying each address in turn, each within `timeout_ms`; or -1 with errno
/// set and a readable reason in `error` (may be NULL).
int agentd_connect_tcp_deadline(const char *host, int port, int timeout_ms, char *error, int error_capacity);
/// SO_RCVTIMEO and SO_SNDTIMEO: a blocking read or write on `fd` gives up after `timeout_ms`.
int agentd_set_io_timeouts(int fd, int timeout_ms);

int agentd_set_nodelay(int fd);
int agentd_set_nonblocking(int fd, int on);
/// send(2) with MSG_NOSIGNAL: a peer that went away yields EPIPE instead of SIGPIPE.
ssize_t agentd_send(int fd, const void *bytes, size_t count);
/// Half-closes the write side (lingering close after an error response).
int agentd_shutdown_write(int fd);
/// Sets SO_LINGER to {on, 0}: close() then resets the connection at once.
int agentd_set_linger_reset(int fd);

/// CLOCK_MONOTONIC in nanoseconds, and CLOCK_REALTIME in whole seconds.
uint64_t agentd_monotonic_ns(void);
int64_t agentd_realtime_seconds(void);

/// getrandom(2) with no flags: `count` bytes from the kernel's CSPRNG; the bytes written, or -1 with errno.
ssize_t agentd_getrandom(void *bytes, size_t count);
#endif
