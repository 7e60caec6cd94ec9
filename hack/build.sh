#!/usr/bin/env bash
# Builds the two release binaries exactly as the Dockerfile's build stage
# does (it runs this script), so that CI, which has no Docker engine, runs
# the same commands (hack/dockerfile's test):
#
#   hack/build.sh OUT
#
# OUT/server  the server, with cgo: it loads libonnxruntime at run time
#             (ORT_LIB) to check uploaded models; needs only libc to start
# OUT/edge    the edge (OpenCV, libavcodec, onnxruntime at run time)
# OUT/libs/   every shared library the edge links, at its full path, to be
#             copied onto the root of a slim image
#
# Needs what hack/setup.sh installs (Go, a C compiler, the -dev packages).
set -euo pipefail

out=${1:?usage: hack/build.sh OUT}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p "$out/libs"

CGO_ENABLED=1 go build -trimpath -o "$out/server" ./server/cmd/server
CGO_ENABLED=1 go build -trimpath -o "$out/edge" ./edge/cmd/edge

# gocv links every OpenCV module pkg-config lists; collecting exactly the
# shared libraries the binary needs keeps the edge image small and correct.
# The C library and the loader are the image's own.
ldd "$out/edge" | awk '/=> \//{print $3}' \
  | { grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)[.-][^/]*$' || true; } \
  | xargs -r -I{} cp --parents -L {} "$out/libs/"
