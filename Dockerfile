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

FROM gcr.io/distroless/static-debian12:nonroot
# distroless/static ships CA certificates and tzdata (for --timezone) and runs as uid 65532.
COPY --from=build /out/forumarc /usr/local/bin/forumarc
ENV FORUMARC_DB=/data/forumarc.db
VOLUME ["/data"]
WORKDIR /data
USER nonroot:nonroot
ENTRYPOINT ["forumarc"]
CMD ["--help"]
