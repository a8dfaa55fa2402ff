#define _GNU_SOURCE
#include "CAgentdSystem.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const uint32_t agentd_EPOLLIN = EPOLLIN;
const uint32_t agentd_EPOLLOUT = EPOLLOUT;
const uint32_t agentd_EPOLLRDHUP = EPOLLRDHUP;
const uint32_t agentd_EPOLLHUP = EPOLLHUP;
const uint32_t agentd_EPOLLERR = EPOLLERR;
const uint32_t agentd_EPOLLEXCLUSIVE = EPOLLEXCLUSIVE;

int agentd_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int epoll_control(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = events;
    event.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &event);
}

int agentd_epoll_add(int epfd, int fd, uint32_t events, uint64_t token) {
    return epoll_control(epfd, EPOLL_CTL_ADD, fd, events, token);
}

int agentd_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token) {
    return epoll_control(epfd, EPOLL_CTL_MOD, fd, events, token);
}

int agentd_epoll_delete(int epfd, int fd) { return epoll_control(epfd, EPOLL_CTL_DEL, fd, 0, 0); }

int agentd_epoll_wait(int epfd, agentd_event *events, int capacity, int timeout_ms) {
    // epoll_event is packed on x86_64; copy out into an unpacked struct Swift can index.
    struct epoll_event raw[256];
    if (capacity > 256) capacity = 256;
    int count;
    do {
        count = epoll_wait(epfd, raw, capacity, timeout_ms);
    } while (count < 0 && errno == EINTR);
    for (int i = 0; i < count; i++) {
        events[i].token = raw[i].data.u64;
        events[i].events = raw[i].events;
    }
    return count;
}

int agentd_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int agentd_eventfd_signal(int fd) {
    uint64_t one = 1;
    return (int)write(fd, &one, sizeof one);
}

int agentd_eventfd_drain(int fd) {
    uint64_t value;
    return (int)read(fd, &value, sizeof value);
}

int agentd_accept(int listen_fd, char *peer, int peer_capacity) {
    struct sockaddr_storage address;
    socklen_t length = sizeof address;
    int fd = accept4(listen_fd, (struct sockaddr *)&address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0 && peer != NULL && peer_capacity > 0) {
        peer[0] = 0;
        if (address.ss_family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)&address)->sin_addr, peer, (socklen_t)peer_capacity);
        } else if (address.ss_family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&address)->sin6_addr, peer, (socklen_t)peer_capacity);
        }
    }
    return fd;
}

static int fill_address(const char *host, int port, struct sockaddr_storage *address, socklen_t *length) {
    memset(address, 0, sizeof *address);
    struct sockaddr_in *v4 = (struct sockaddr_in *)address;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)address;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *length = sizeof *v4;
        return AF_INET;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *length = sizeof *v6;
        return AF_INET6;
    }
    errno = EINVAL;
    return -1;
}

int agentd_listen_tcp(const char *host, int port, int backlog, int reuse_port) {
    struct sockaddr_storage address;
    socklen_t length;
    int family = fill_address(host, port, &address, &length);
    if (family < 0) return -1;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) < 0) goto fail;
    if (bind(fd, (struct sockaddr *)&address, length) < 0) goto fail;
    if (listen(fd, backlog) < 0) goto fail;
    return fd;
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int agentd_local_port(int fd) {
    struct sockaddr_storage address;
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) < 0) return -1;
    if (address.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&address)->sin_port);
    if (address.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&address)->sin6_port);
    return -1;
}

int agentd_connect_tcp(const char *host, int port) {
    struct sockaddr_storage address;
    socklen_t length;
    int family = fill_address(host, port, &address, &length);
    if (family < 0) return -1;
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int result;
    do {
        result = connect(fd, (struct sockaddr *)&address, length);
    } while (result < 0 && errno == EINTR);
    if (result < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int agentd_set_nodelay(int fd) {
    int on = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

int agentd_set_nonblocking(int fd, int on) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK));
}

ssize_t agentd_send(int fd, const void *bytes, size_t count) {
    ssize_t sent;
    do {
        sent = send(fd, bytes, count, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

int agentd_shutdown_write(int fd) { return shutdown(fd, SHUT_WR); }

int agentd_set_linger_reset(int fd) {
    struct linger value = {1, 0};
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, sizeof value);
}

uint64_t agentd_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

int64_t agentd_realtime_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    return (int64_t)now.tv_sec;
}

#include <netdb.h>
#include <poll.h>
#include <sys/time.h>

int agentd_connect_tcp_deadline(const char *host, int port, int timeout_ms, char *error, int error_capacity) {
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *results = NULL;
    int status = getaddrinfo(host, service, &hints, &results);
    if (status != 0) {
        if (error) snprintf(error, error_capacity, "cannot resolve %s: %s", host, gai_strerror(status));
        errno = EHOSTUNREACH;
        return -1;
    }
    int fd = -1;
    int saved = ECONNREFUSED;
    for (struct addrinfo *candidate = results; candidate; candidate = candidate->ai_next) {
        fd = socket(candidate->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) { saved = errno; continue; }
        int result = connect(fd, candidate->ai_addr, candidate->ai_addrlen);
        if (result < 0 && errno == EINPROGRESS) {
            struct pollfd waiting = { .fd = fd, .events = POLLOUT };
            do { result = poll(&waiting, 1, timeout_ms); } while (result < 0 && errno == EINTR);
            if (result == 0) { saved = ETIMEDOUT; result = -1; }
            else if (result > 0) {
                int socket_error = 0;
                socklen_t length = sizeof socket_error;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &length);
                if (socket_error != 0) { saved = socket_error; result = -1; } else { result = 0; }
            } else { saved = errno; }
        } else if (result < 0) {
            saved = errno;
        }
        if (result == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(results);
    if (fd < 0) {
        if (error) snprintf(error, error_capacity, "cannot connect to %s:%d: %s", host, port, strerror(saved));
        errno = saved;
        return -1;
    }
    return fd;
}

int agentd_set_io_timeouts(int fd, int timeout_ms) {
    struct timeval interval = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, sizeof interval) != 0) return -1;
    return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, sizeof interval);
}

ssize_t agentd_getrandom(void *bytes, size_t count) { return getrandom(bytes, count, 0); }
