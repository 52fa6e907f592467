# syntax=docker/dockerfile:1
# shiptag's image: one static binary. Built for linux/amd64 and linux/arm64 by the release
# workflow (docker buildx --platform linux/amd64,linux/arm64), cross-compiled on the build host.

ARG GO_VERSION=1.26
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
# The release workflow stamps the git tag; unstamped, the binary reports its releaseVersion.
ARG VERSION=""
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/shiptag ./cmd/shiptag

# distroless static: CA certificates and nothing else, plus (the :debug variant) busybox at
# /busybox/sh, because GitLab runs a job's script with a shell inside the job's image; GitLab
# Runner looks for /busybox/sh when there is no /bin/sh. It runs as root: GitHub mounts the
# workspace and the file-command paths for root.
FROM gcr.io/distroless/static-debian12:debug
COPY --from=build /out/shiptag /usr/local/bin/shiptag
ENTRYPOINT ["/usr/local/bin/shiptag"]
