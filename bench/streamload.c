// streamload: holds N concurrent HTTP/1.1 streaming requests on one thread (epoll, non-blocking sockets) and
// measures each stream. Built and run by bench/streams.sh; usable alone:
//
//   gcc -O2 -o streamload bench/streamload.c
//   ./streamload -p PORT [-h 127.0.0.1] [-u /v1/chat/completions] -b BODY [-n 10000] [-B 500] [-I 50] [-t 60]
//
//   -n  streams (connections), one request each
//   -B  connections opened per ramp step, every -I milliseconds (10000 streams at -B 500 -I 50: a 1 s ramp)
//   -t  total timeout in seconds: streams not finished by then count as failed (timeout)
//   -m  marker the body must contain for success (repeatable; any one suffices) [data: [DONE] and "type":"done"]
//
// Per stream: TTFB = first response body byte (decoded, after the head) minus the moment the last request byte
// was written; duration = end of the body minus that same moment. Success = status 200, a body framed to its end
// (chunked: the terminating zero-size chunk; Content-Length: every byte; neither: the server's EOF) that contains
// one of the markers. The client closes each connection when its stream ends.
//
// Output: a human summary on stdout, then one line `RESULT key=value ...` for scripts.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum state { S_IDLE, S_CONNECTING, S_SENDING, S_HEAD, S_BODY, S_DONE, S_FAILED };
enum body_mode { B_CHUNKED, B_LENGTH, B_CLOSE };
enum chunk_state { C_SIZE, C_SIZE_LF, C_EXT, C_DATA, C_DATA_CR, C_DATA_LF, C_TRAILER, C_TRAILER_LF, C_END };
enum failure { F_CONNECT, F_WRITE, F_READ, F_EOF, F_STATUS, F_FRAMING, F_NO_MARKER, F_TIMEOUT, F_COUNT };
static const char *failure_names[F_COUNT] = {"connect", "write", "read_error", "early_eof", "http_status", "bad_framing", "no_marker", "timeout"};

struct conn {
    int fd;
    uint8_t state, mode, cstate, saw_marker;
    uint8_t fail;
    int status;
    size_t sent;
    long long remaining;   // chunk bytes left, or Content-Length bytes left
    double t_start, t_sent, t_first, t_end;
    char *head;            // response head being read (until CRLFCRLF)
    size_t head_len;
    char tail[64];         // last decoded body bytes, for markers split across reads
    size_t tail_len;
};

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct conn *conns;
static int n = 10000, epfd;
static char *request;
static size_t request_len;
static const char *markers[8];
static int marker_count;
static long active, finished;
static long fail_counts[F_COUNT];
static long status_counts[600];
// The first answer that is not a 200, head and start of body, printed in the summary.
static char sample_bad[1024];
static size_t sample_bad_len;
static struct conn *sample_bad_conn;

static void keep_bad(struct conn *c, const char *p, size_t len) {
    if (sample_bad_conn != c) return;
    size_t room = sizeof sample_bad - 1 - sample_bad_len;
    if (len > room) len = room;
    memcpy(sample_bad + sample_bad_len, p, len);
    sample_bad_len += len;
}

static void finish(struct conn *c, int ok, int why) {
    if (c->state == S_DONE || c->state == S_FAILED) return;
    c->t_end = now_ms();
    c->state = ok ? S_DONE : S_FAILED;
    if (!ok) { c->fail = (uint8_t)why; fail_counts[why]++; }
    if (c->fd >= 0) { epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); c->fd = -1; }
    free(c->head); c->head = NULL;
    active--; finished++;
}

static void body_data(struct conn *c, const char *p, size_t len) {
    if (len == 0) return;
    keep_bad(c, p, len);
    if (c->t_first == 0) c->t_first = now_ms();
    if (c->saw_marker) return;
    // Search tail + new data (bounded) for any marker.
    char buf[64 + 4096];
    size_t off = 0;
    while (off < len && !c->saw_marker) {
        size_t take = len - off > 4096 ? 4096 : len - off;
        memcpy(buf, c->tail, c->tail_len);
        memcpy(buf + c->tail_len, p + off, take);
        size_t total = c->tail_len + take;
        for (int i = 0; i < marker_count; i++)
            if (memmem(buf, total, markers[i], strlen(markers[i]))) { c->saw_marker = 1; break; }
        size_t keep = total < 48 ? total : 48;
        memmove(c->tail, buf + total - keep, keep);
        c->tail_len = keep;
        off += take;
    }
}

// Decodes body bytes; returns 1 when the body is complete, -1 on a framing error, 0 for more.
static int body_bytes(struct conn *c, const char *p, size_t len) {
    if (c->mode == B_CLOSE) { body_data(c, p, len); return 0; }
    if (c->mode == B_LENGTH) {
        size_t take = (long long)len < c->remaining ? len : (size_t)c->remaining;
        body_data(c, p, take);
        c->remaining -= take;
        return c->remaining == 0 ? 1 : 0;
    }
    size_t i = 0;
    while (i < len) {
        char ch = p[i];
        switch (c->cstate) {
        case C_SIZE:
            if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')) {
                int v = ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
                if (c->remaining > (1LL << 40)) return -1;
                c->remaining = c->remaining * 16 + v;
                i++;
            } else if (ch == '\r') { c->cstate = C_SIZE_LF; i++; }
            else if (ch == ';' || ch == ' ' || ch == '\t') { c->cstate = C_EXT; i++; }
            else return -1;
            break;
        case C_EXT:
            if (ch == '\r') c->cstate = C_SIZE_LF;
            i++;
            break;
        case C_SIZE_LF:
            if (ch != '\n') return -1;
            i++;
            c->cstate = c->remaining == 0 ? C_TRAILER : C_DATA;
            break;
        case C_DATA: {
            size_t take = len - i < (size_t)c->remaining ? len - i : (size_t)c->remaining;
            body_data(c, p + i, take);
            c->remaining -= take;
            i += take;
            if (c->remaining == 0) c->cstate = C_DATA_CR;
            break;
        }
        case C_DATA_CR: if (ch != '\r') return -1; c->cstate = C_DATA_LF; i++; break;
        case C_DATA_LF: if (ch != '\n') return -1; c->cstate = C_SIZE; c->remaining = 0; i++; break;
        case C_TRAILER: // an empty line ends the trailers; other trailer lines are skipped
            if (ch == '\r') { c->cstate = C_TRAILER_LF; i++; }
            else { while (i < len && p[i] != '\n') i++; if (i < len) i++; }
            break;
        case C_TRAILER_LF: if (ch != '\n') return -1; c->cstate = C_END; return 1;
        case C_END: return 1;
        }
    }
    return 0;
}

static int header_value(const char *head, const char *name, char *out, size_t cap) {
    size_t nl = strlen(name);
    const char *line = strstr(head, "\r\n");
    while (line && line[2] != '\r') {
        line += 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ' || *v == '\t') v++;
            const char *e = strstr(v, "\r\n");
            size_t l = e ? (size_t)(e - v) : strlen(v);
            while (l > 0 && (v[l - 1] == ' ' || v[l - 1] == '\t')) l--;
            if (l >= cap) l = cap - 1;
            memcpy(out, v, l); out[l] = 0;
            return 1;
        }
        line = strstr(line, "\r\n");
    }
    return 0;
}

static void body_ended(struct conn *c, int done) {
    if (done < 0) finish(c, 0, F_FRAMING);
    else if (c->status != 200) finish(c, 0, F_STATUS);
    else finish(c, c->saw_marker, F_NO_MARKER);
}

static void on_readable(struct conn *c) {
    char buf[16384];
    for (;;) {
        ssize_t r = read(c->fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            finish(c, 0, F_READ);
            return;
        }
        if (r == 0) {
            if (c->state == S_BODY && c->mode == B_CLOSE) body_ended(c, 1);
            else finish(c, 0, F_EOF);
            return;
        }
        const char *p = buf;
        size_t len = (size_t)r;
        if (c->state == S_HEAD) {
            c->head = realloc(c->head, c->head_len + len + 1);
            memcpy(c->head + c->head_len, p, len);
            c->head_len += len;
            c->head[c->head_len] = 0;
            char *end = strstr(c->head, "\r\n\r\n");
            if (!end) { if (c->head_len > 65536) finish(c, 0, F_FRAMING); continue; }
            size_t head_size = (size_t)(end - c->head) + 4;
            int status = 0;
            if (sscanf(c->head, "HTTP/1.%*d %d", &status) != 1) { finish(c, 0, F_FRAMING); return; }
            c->status = status;
            if (status >= 0 && status < 600) status_counts[status]++;
            if (status != 200 && !sample_bad_conn) { sample_bad_conn = c; keep_bad(c, c->head, head_size); }
            char value[128];
            if (header_value(c->head, "Transfer-Encoding", value, sizeof value) && strcasestr(value, "chunked")) {
                c->mode = B_CHUNKED; c->cstate = C_SIZE; c->remaining = 0;
            } else if (header_value(c->head, "Content-Length", value, sizeof value)) {
                c->mode = B_LENGTH; c->remaining = atoll(value);
            } else c->mode = B_CLOSE;
            c->state = S_BODY;
            // The rest of what was read belongs to the body.
            size_t rest = c->head_len - head_size;
            char *copy = rest ? malloc(rest) : NULL;
            if (rest) memcpy(copy, c->head + head_size, rest);
            free(c->head); c->head = NULL;
            int done = 0;
            if (c->mode == B_LENGTH && c->remaining == 0) done = 1;
            else if (rest) done = body_bytes(c, copy, rest);
            free(copy);
            if (done != 0) { body_ended(c, done); return; }
            continue;
        }
        if (c->state == S_BODY) {
            int done = body_bytes(c, p, len);
            if (done != 0) { body_ended(c, done); return; }
        }
    }
}

static void on_writable(struct conn *c) {
    if (c->state == S_CONNECTING) {
        int err = 0; socklen_t l = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) { finish(c, 0, F_CONNECT); return; }
        c->state = S_SENDING;
    }
    while (c->sent < request_len) {
        ssize_t w = write(c->fd, request + c->sent, request_len - c->sent);
        if (w < 0) {
            if (errno == EAGAIN) return;
            if (errno == EINTR) continue;
            finish(c, 0, F_WRITE);
            return;
        }
        c->sent += (size_t)w;
    }
    c->t_sent = now_ms();
    c->state = S_HEAD;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)(c - conns)};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void open_one(struct conn *c, struct sockaddr_in *addr) {
    c->t_start = now_ms();
    active++;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) { c->state = S_CONNECTING; finish(c, 0, F_CONNECT); return; }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->state = S_CONNECTING;
    int r = connect(c->fd, (struct sockaddr *)addr, sizeof *addr);
    if (r < 0 && errno != EINPROGRESS) { finish(c, 0, F_CONNECT); return; }
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)(c - conns)};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) { finish(c, 0, F_CONNECT); return; }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, long count, double p) {
    if (count == 0) return 0;
    long i = (long)(p * count + 0.999999) - 1;  // nearest-rank
    if (i < 0) i = 0;
    if (i >= count) i = count - 1;
    return v[i];
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *path = "/v1/chat/completions", *body = NULL;
    int port = 0, batch = 500, interval_ms = 50, timeout_s = 60, opt;
    while ((opt = getopt(argc, argv, "h:p:u:b:n:B:I:t:m:")) != -1) {
        switch (opt) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'u': path = optarg; break;
        case 'b': body = optarg; break;
        case 'n': n = atoi(optarg); break;
        case 'B': batch = atoi(optarg); break;
        case 'I': interval_ms = atoi(optarg); break;
        case 't': timeout_s = atoi(optarg); break;
        case 'm': if (marker_count < 8) markers[marker_count++] = optarg; break;
        default: fprintf(stderr, "usage: streamload -p PORT -b BODY [-h HOST] [-u PATH] [-n N] [-B BATCH] [-I MS] [-t S] [-m MARKER]\n"); return 2;
        }
    }
    if (!port || !body || n <= 0 || batch <= 0) { fprintf(stderr, "streamload: -p PORT and -b BODY are required\n"); return 2; }
    if (marker_count == 0) { markers[marker_count++] = "data: [DONE]"; markers[marker_count++] = "\"type\":\"done\""; }

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
    getrlimit(RLIMIT_NOFILE, &rl);
    if ((long)rl.rlim_cur < n + 16) fprintf(stderr, "streamload: warning: open file limit %ld < %d streams\n", (long)rl.rlim_cur, n);

    size_t blen = strlen(body);
    request = malloc(blen + 512);
    request_len = (size_t)snprintf(request, blen + 512,
        "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
        "Content-Length: %zu\r\n\r\n%s", path, host, port, blen, body);

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "streamload: host must be an IPv4 literal\n"); return 2; }

    conns = calloc((size_t)n, sizeof *conns);
    for (int i = 0; i < n; i++) conns[i].fd = -1;
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event *events = malloc(sizeof *events * 4096);

    double t0 = now_ms(), deadline = t0 + timeout_s * 1000.0, next_batch = t0;
    int opened = 0;
    double peak_active_t = 0; long peak_active = 0;
    while (finished < n) {
        double t = now_ms();
        if (t >= deadline) break;
        while (opened < n && t >= next_batch) {
            for (int k = 0; k < batch && opened < n; k++) open_one(&conns[opened++], &addr);
            next_batch += interval_ms;
        }
        if (active > peak_active) { peak_active = active; peak_active_t = t - t0; }
        double wait = deadline - t;
        if (opened < n && next_batch - t < wait) wait = next_batch - t;
        if (wait > 100) wait = 100;
        int k = epoll_wait(epfd, events, 4096, wait < 1 ? 1 : (int)wait);
        for (int e = 0; e < k; e++) {
            struct conn *c = &conns[events[e].data.u32];
            if (c->fd < 0) continue;
            uint32_t ev = events[e].events;
            if (c->state == S_CONNECTING || c->state == S_SENDING) {
                if (ev & (EPOLLERR | EPOLLHUP)) { finish(c, 0, c->state == S_CONNECTING ? F_CONNECT : F_WRITE); continue; }
                on_writable(c);
            } else if (c->state == S_HEAD || c->state == S_BODY) {
                on_readable(c);
            }
        }
    }
    double elapsed = now_ms() - t0;
    for (int i = 0; i < n; i++) {
        if (conns[i].state == S_IDLE) { conns[i].state = S_CONNECTING; active++; }
        finish(&conns[i], 0, F_TIMEOUT);  // no-op for streams already ended
    }

    double *ttfb = malloc(sizeof(double) * (size_t)n), *dur = malloc(sizeof(double) * (size_t)n), *conn_ms = malloc(sizeof(double) * (size_t)n);
    // First byte counted from the start of the connect: includes the wait for the server to accept, which TTFB
    // (counted from the request written) leaves out.
    double *first = malloc(sizeof(double) * (size_t)n);
    long ok = 0, nconn = 0;
    for (int i = 0; i < n; i++) {
        struct conn *c = &conns[i];
        if (c->t_sent > 0) conn_ms[nconn++] = c->t_sent - c->t_start;
        if (c->state != S_DONE) continue;
        ttfb[ok] = c->t_first - c->t_sent;
        first[ok] = c->t_first - c->t_start;
        dur[ok] = c->t_end - c->t_sent;
        ok++;
    }
    qsort(ttfb, (size_t)ok, sizeof(double), cmp_double);
    qsort(first, (size_t)ok, sizeof(double), cmp_double);
    qsort(dur, (size_t)ok, sizeof(double), cmp_double);
    qsort(conn_ms, (size_t)nconn, sizeof(double), cmp_double);
    long failed = n - ok;

    printf("streams %d: completed %ld, failed %ld, in %.0f ms (peak %ld open at %.0f ms)\n", n, ok, failed, elapsed, peak_active, peak_active_t);
    if (failed) {
        printf("  failures:");
        for (int f = 0; f < F_COUNT; f++) if (fail_counts[f]) printf(" %s=%ld", failure_names[f], fail_counts[f]);
        printf("\n");
    }
    if (sample_bad_len) {
        size_t kept = 0;
        for (size_t i = 0; i < sample_bad_len; i++) if (sample_bad[i] != '\r') sample_bad[kept++] = sample_bad[i];
        printf("  first answer that was not a 200:\n%.*s\n", (int)kept, sample_bad);
    }
    printf("  statuses:");
    for (int s = 0; s < 600; s++) if (status_counts[s]) printf(" %d=%ld", s, status_counts[s]);
    printf("\n");
    printf("  connect+send ms: p50 %.2f p99 %.2f max %.2f\n", pct(conn_ms, nconn, .5), pct(conn_ms, nconn, .99), nconn ? conn_ms[nconn - 1] : 0);
    printf("  TTFB ms (completed): p50 %.2f p99 %.2f max %.2f\n", pct(ttfb, ok, .5), pct(ttfb, ok, .99), ok ? ttfb[ok - 1] : 0);
    printf("  first byte from connect start ms (completed): p50 %.2f p99 %.2f max %.2f\n", pct(first, ok, .5), pct(first, ok, .99), ok ? first[ok - 1] : 0);
    printf("  duration ms (completed): p50 %.2f p99 %.2f max %.2f\n", pct(dur, ok, .5), pct(dur, ok, .99), ok ? dur[ok - 1] : 0);
    printf("RESULT n=%d completed=%ld failed=%ld ttfb_p50=%.3f ttfb_p99=%.3f first_p50=%.3f first_p99=%.3f dur_p50=%.3f dur_p99=%.3f",
           n, ok, failed, pct(ttfb, ok, .5), pct(ttfb, ok, .99), pct(first, ok, .5), pct(first, ok, .99), pct(dur, ok, .5), pct(dur, ok, .99));
    for (int f = 0; f < F_COUNT; f++) printf(" %s=%ld", failure_names[f], fail_counts[f]);
    printf("\n");
    return failed ? 1 : 0;
}
