# Multi-stage build of both images. No image has been built: the machine
# this project is developed on has no Docker engine and cannot pull base
# images. The build stage runs hack/build.sh, which hack/dockerfile's test
# runs too, and that test checks that every file COPY takes exists.

# --- build -----------------------------------------------------------------
FROM golang:1.26-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential pkg-config libopencv-dev \
      libavcodec-dev libavformat-dev libavutil-dev libswscale-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Both binaries with cgo: the edge for OpenCV and libavcodec, the server
# for onnxruntime, which checks uploaded models (loaded at run time).
RUN hack/build.sh /out

# onnxruntime 1.24.1 from its npm package, checked against the same sha256
# as hack/setup.sh.
FROM node:20-bookworm-slim AS ort
ARG TARGETARCH=amd64
WORKDIR /ort
RUN set -eux; \
    case "$TARGETARCH" in amd64) a=x64; s=53ef1ac028dd1b05554b8da28d9159eb3876f99868193d2aaa6e67f0243c23d4 ;; \
                          arm64) a=arm64; s=7954e8bdedb497f830c6a679e818d98399b7f4d81ade1126c3e0be74d28111ab ;; esac; \
    npm pack --silent onnxruntime-node@1.24.1; \
    tar -xzf onnxruntime-node-1.24.1.tgz package/bin/napi-v6/linux/$a/libonnxruntime.so.1; \
    mv package/bin/napi-v6/linux/$a/libonnxruntime.so.1 /ort/libonnxruntime.so.1; \
    echo "$s  /ort/libonnxruntime.so.1" | sha256sum -c -

# --- server image ------------------------------------------------------------
FROM debian:bookworm-slim AS server
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd -r -u 10001 xiuhua && mkdir /data && chown xiuhua /data
COPY --from=build /out/server /usr/local/bin/server
# The model upload check runs the uploaded model once (server/models).
COPY --from=ort /ort/libonnxruntime.so.1 /usr/local/lib/libonnxruntime.so.1
ENV ORT_LIB=/usr/local/lib/libonnxruntime.so.1
USER xiuhua
VOLUME /data
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/server", "-data-dir", "/data", "-http", ":8080", "-grpc", ":9090"]

# --- edge image --------------------------------------------------------------
FROM debian:bookworm-slim AS edge
# fonts-droid-fallback and fonts-dejavu-core: Chinese and Latin labels on the annotated evidence.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates fonts-droid-fallback fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* && useradd -r -u 10001 xiuhua && mkdir /data && chown xiuhua /data
COPY --from=build /out/libs/ /
COPY --from=build /out/edge /usr/local/bin/edge
COPY --from=ort /ort/libonnxruntime.so.1 /usr/local/lib/libonnxruntime.so.1
COPY models/*.yaml models/*.txt /etc/xiuhua/models/
ENV ORT_LIB=/usr/local/lib/libonnxruntime.so.1
USER xiuhua
VOLUME /data
EXPOSE 9100
# Mount the config at /etc/xiuhua/edge.yaml and the ONNX weights beside the
# manifests (hack/fetch-models.sh).
ENTRYPOINT ["/usr/local/bin/edge", "-config", "/etc/xiuhua/edge.yaml"]
