#!/usr/bin/env bash
# Regenerates the Go code for proto/ with the protoc plugins pinned in go.mod.
# Usage: hack/gen-proto.sh [OUTDIR]   (default: the repository root, in place)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root}
cache=${XIUHUA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xiuhua}
bin=$cache/bin
mkdir -p "$bin" "$out"
cd "$root"
# go build is a no-op when the plugin is up to date, so this costs nothing twice.
go build -o "$bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$bin/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc
protoc -I proto \
  --plugin=protoc-gen-go="$bin/protoc-gen-go" \
  --plugin=protoc-gen-go-grpc="$bin/protoc-gen-go-grpc" \
  --go_out="$out" --go_opt=module=github.com/xiuhua/xiuhua \
  --go-grpc_out="$out" --go-grpc_opt=module=github.com/xiuhua/xiuhua \
  proto/xiuhua/v1/*.proto
