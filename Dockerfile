# syntax=docker/dockerfile:1
#
# 就业帮: one static binary with the mini-program's H5 build embedded, on a
# distroless base that runs as a non-root user.
#
#   docker build -t jiuyebang .
#   docker run --rm -p 8080:8080 -e APP_ENV=development jiuyebang    # embedded demo
#
# Production runs it through docker-compose.yml (see docs/operations.md).
# Build args: GOPROXY and NPM_REGISTRY point at mirrors where the default
# registries are unreachable; empty means the tools' defaults.

ARG NODE_IMAGE=node:20
ARG GO_IMAGE=golang:1.26
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

# ---- 1. the H5 app (Taro) ------------------------------------------------
FROM ${NODE_IMAGE} AS h5
ARG NPM_REGISTRY=
WORKDIR /src/miniprogram
# Dependencies first, so a source change does not reinstall them.
# `npm install`, not `npm ci`: the lockfile lacks other platforms' optional
# @tarojs/binding-* packages and `npm ci` refuses it (shared/FRONTEND.md).
COPY miniprogram/package.json miniprogram/package-lock.json* ./
RUN --mount=type=cache,target=/root/.npm \
    if [ -n "$NPM_REGISTRY" ]; then npm config set registry "$NPM_REGISTRY"; fi; \
    npm install --no-audit --no-fund --loglevel=error
COPY miniprogram/ ./
RUN npm run build:h5 && test -f dist/h5/index.html

# ---- 2. the Go binary ----------------------------------------------------
FROM ${GO_IMAGE} AS build
# An empty GOPROXY means Go's default.
ARG GOPROXY=
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
# api/web embeds api/web/dist (//go:embed all:dist): put the H5 build there.
COPY --from=h5 /src/miniprogram/dist/h5/ ./api/web/dist/
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/jiuyebang . \
 && mkdir -p /out/data

# ---- 3. runtime ----------------------------------------------------------
# static-debian12 has CA certificates (WeChat API over HTTPS), tzdata and a
# `nonroot` user (65532); no shell, no package manager.
FROM ${RUNTIME_IMAGE}
COPY --from=build /out/jiuyebang /usr/local/bin/jiuyebang
# DATA_DIR: exports and, in the embedded default only, the SQLite file.
COPY --from=build --chown=65532:65532 /out/data /data
ENV APP_ENV=production \
    HTTP_ADDR=:8080 \
    DATA_DIR=/data
WORKDIR /data
USER nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/jiuyebang"]
CMD ["serve"]
