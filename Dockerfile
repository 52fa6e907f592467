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

# Alpine with git and CA certificates: cleanup reads the branches, tags and commits with the git
# command, and GitLab runs a job's script with the image's /bin/sh. safe.directory lets git read
# the workspace, which the runner mounts owned by another user. It runs as root: GitHub mounts the
# workspace and the file-command paths for root.
FROM alpine:3.22
RUN apk add --no-cache ca-certificates git \
 && git config --system --add safe.directory '*'
COPY --from=build /out/shiptag /usr/local/bin/shiptag
ENTRYPOINT ["/usr/local/bin/shiptag"]
