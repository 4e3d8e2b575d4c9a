# syntax=docker/dockerfile:1
# rampart's own image: a static-enough binary on distroless, non-root, nothing else.
#   docker build -t rampart:0.1.0 .
# Pin the two bases by digest in your registry mirror (`FROM rust:1.95-bookworm@sha256:…`);
# rampart notes them (DF012) until you do. Kubernetes probes `/healthz` (no HEALTHCHECK: distroless
# has no shell).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p rampart_cli && cp target/release/rampart /rampart

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /rampart /usr/local/bin/rampart
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/rampart"]
CMD ["serve", "--tls-cert", "/tls/tls.crt", "--tls-key", "/tls/tls.key", "--no-config"]
