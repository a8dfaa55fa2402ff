# syntax=docker/dockerfile:1
# agentd and mock-llm in one small image.
#   docker build -t agentd:0.1.0 .
#   docker run --rm -p 8080:8080 -e AGENTD_API_KEYS=change-me agentd:0.1.0
#   docker run --rm -p 8081:8081 -e MOCK_LLM_HOST=0.0.0.0 --entrypoint mock-llm agentd:0.1.0
# The build stage's toolchain matches the one the code is developed and tested with (Swift 6.3.1 on Debian 12).

FROM swift:6.3.1-bookworm AS build
# The official image already carries libcurl4-openssl-dev (the CCurl system library); installing it explicitly
# keeps the build working if that ever changes. libssl-dev: the COpenSSL system library (rediss://, SHA-256).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4-openssl-dev libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Every target named in Package.swift must exist for the manifest to load, the test targets included.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY bench/MicroBench ./bench/MicroBench
# `swift build --product` takes one product (a second --product replaces the first), hence two builds; the
# second reuses the first one's modules. The Swift runtime and Foundation are linked in statically, so the
# runtime image needs only libcurl4 and the C/C++ runtime debian-slim already has.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib --product agentd \
    && swift build -c release --static-swift-stdlib --product mock-llm \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && install -D -m 0755 "$bin/agentd" /out/agentd \
    && install -D -m 0755 "$bin/mock-llm" /out/mock-llm \
    && usr="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")" \
    && install -D -m 0755 "$usr/libexec/swift/linux/swift-backtrace-static" /out/swift-backtrace-static

FROM debian:bookworm-slim AS runtime
LABEL org.opencontainers.image.title="agentd" \
      org.opencontainers.image.description="A dependency-free Swift HTTP daemon serving AI agents (with the mock-llm upstream simulator)" \
      org.opencontainers.image.version="0.1.0"
# ca-certificates: TLS to the providers, webhook receivers and rediss://; libcurl4: the provider and webhook
# client; libssl3: OpenSSL for Redis over TLS and hashing (libcurl4 depends on it too; named for clarity).
# A fixed uid/gid (10001) so Kubernetes' runAsUser, fsGroup and volume ownership can name it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libcurl4 libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 agentd \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/agentd --no-create-home --shell /usr/sbin/nologin agentd \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/agentd /var/lib/agentd/data
COPY --from=build /out/agentd /out/mock-llm /usr/local/bin/
# Swift's crash backtracer (binaries are not stripped): a crash logs a symbolicated backtrace to stderr.
COPY --from=build /out/swift-backtrace-static /usr/local/libexec/swift-backtrace-static
# AGENTD_HOST: a container must listen on all interfaces. agentd then refuses to start without API keys
# (AGENTD_API_KEYS / AGENTD_API_KEYS_FILE) unless AGENTD_ALLOW_UNAUTHENTICATED=true is set on purpose.
ENV AGENTD_HOST=0.0.0.0 \
    AGENTD_PORT=8080 \
    AGENTD_DATA_DIR=/var/lib/agentd/data \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/libexec/swift-backtrace-static
# The task journal lives in AGENTD_DATA_DIR: mount a volume there (docker run -v agentd-data:/var/lib/agentd/data)
# to keep tasks across containers. No VOLUME instruction, so containers started with another entrypoint
# (mock-llm) or a read-only root and their own mount do not collect anonymous volumes.
WORKDIR /var/lib/agentd
USER 10001:10001
EXPOSE 8080
# SIGTERM starts the graceful shutdown (readiness 503, AGENTD_DRAIN_DELAY_S of serving, then in-flight requests
# get AGENTD_SHUTDOWN_GRACE_S): give `docker stop` a timeout above their sum (docker stop -t 35, compose's
# stop_grace_period).
STOPSIGNAL SIGTERM
# `agentd healthcheck` GETs /health/live on the local port and exits 0 only on a 200: no curl in the image. Its own
# deadline is 3 s (1 s to connect): a timeout above it lets its message, not docker's, explain a failure.
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 CMD ["/usr/local/bin/agentd", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/agentd"]
