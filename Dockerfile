# syntax=docker/dockerfile:1
# Build: docker build -t forumarc .
# Run:   docker run --rm -v "$PWD/data:/data" forumarc archive https://forum.example.com/threads/x.1/
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/forumarc ./cmd/forumarc
# /data must belong to the nonroot user (65532) in the image: a fresh named volume takes
# the owner and mode of the image's directory, and distroless has no shell to mkdir/chown.
RUN mkdir -p /out/rootfs/data && chown 65532:65532 /out/rootfs/data && chmod 0755 /out/rootfs/data

FROM gcr.io/distroless/static-debian12:nonroot
# distroless/static ships CA certificates and tzdata (for --timezone) and runs as uid 65532.
COPY --from=build /out/forumarc /usr/local/bin/forumarc
# Copies the directory entry data itself (not only its contents), so --chown applies to /data.
COPY --from=build --chown=65532:65532 /out/rootfs/ /
ENV FORUMARC_DB=/data/forumarc.db
USER nonroot:nonroot
WORKDIR /data
# Declared after /data is in place: build steps that touch a volume path after VOLUME are discarded.
VOLUME ["/data"]
ENTRYPOINT ["forumarc"]
CMD ["--help"]
