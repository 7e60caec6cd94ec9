#!/usr/bin/env bash
# Prepares a Debian 12 machine to build, run and test Xiuhua. Idempotent: a
# second run with everything present only checks, and takes seconds.
#
#   hack/setup.sh            everything
#   ORT_LIB=/path/libonnxruntime.so.1 hack/setup.sh   use that onnxruntime
#
# Downloads are kept in $XIUHUA_CACHE (default ~/.cache/xiuhua) and checked
# against pinned sha256 sums.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XIUHUA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xiuhua}
mkdir -p "$cache"
log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------
pkgs=(build-essential pkg-config libopencv-dev libavcodec-dev libavformat-dev
      libavutil-dev libswscale-dev ffmpeg protobuf-compiler libprotobuf-dev curl ca-certificates
      fonts-droid-fallback fonts-dejavu-core chromium fonts-noto-cjk)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js for the browser tests: a machine that has it from elsewhere
# (NodeSource, nvm) keeps it; Debian's npm conflicts with those.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages present"
fi

# --- onnxruntime 1.24.1 ------------------------------------------------------
ort_version=1.24.1
case "$(uname -m)" in
  x86_64) ort_arch=x64; ort_tar_arch=x64
          ort_sha=53ef1ac028dd1b05554b8da28d9159eb3876f99868193d2aaa6e67f0243c23d4 ;;
  aarch64) ort_arch=arm64; ort_tar_arch=aarch64
          ort_sha=7954e8bdedb497f830c6a679e818d98399b7f4d81ade1126c3e0be74d28111ab ;;
  *) die "no onnxruntime build for $(uname -m); set ORT_LIB to your own libonnxruntime.so" ;;
esac
ort_dir=$cache/onnxruntime-$ort_version/$ort_arch
ort_lib=$ort_dir/libonnxruntime.so.1
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

if [ -n "${ORT_LIB:-}" ]; then
  [ -f "$ORT_LIB" ] || die "ORT_LIB=$ORT_LIB does not exist"
  log "onnxruntime: using ORT_LIB=$ORT_LIB"
elif sha_ok "$ort_lib" "$ort_sha" || sha_ok "$ort_lib" "$(cat "$ort_lib.sha256" 2>/dev/null)"; then
  log "onnxruntime: $ort_lib (sha256 ok)"
else
  mkdir -p "$ort_dir"; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  url=https://github.com/microsoft/onnxruntime/releases/download/v$ort_version/onnxruntime-linux-$ort_tar_arch-$ort_version.tgz
  if curl -fsSL --connect-timeout 5 --max-time 300 -o "$tmp/ort.tgz" "$url" 2>/dev/null; then
    log "onnxruntime: official release tarball"
    tar -xzf "$tmp/ort.tgz" -C "$tmp"
    cp "$tmp"/onnxruntime-linux-*/lib/libonnxruntime.so.$ort_version "$ort_lib.part"
    # The release tarball's library is a different build from the npm one; its
    # sum is recorded on first download and checked from then on.
    sha256sum "$ort_lib.part" | cut -d' ' -f1 > "$ort_lib.sha256"
  else
    log "onnxruntime: release tarball unreachable; taking the library from npm onnxruntime-node@$ort_version"
    command -v npm >/dev/null || die "npm is needed to fetch onnxruntime (apt-get install npm), or set ORT_LIB"
    (cd "$tmp" && npm pack --silent "onnxruntime-node@$ort_version" >/dev/null)
    tar -xzf "$tmp"/onnxruntime-node-*.tgz -C "$tmp" "package/bin/napi-v6/linux/$ort_arch/libonnxruntime.so.1"
    cp "$tmp/package/bin/napi-v6/linux/$ort_arch/libonnxruntime.so.1" "$ort_lib.part"
    sha_ok "$ort_lib.part" "$ort_sha" || die "onnxruntime from npm: sha256 mismatch, expected $ort_sha"
    echo "$ort_sha" > "$ort_lib.sha256"
  fi
  mv "$ort_lib.part" "$ort_lib"
  log "onnxruntime: installed $ort_lib"
fi

# --- protoc plugins (versions pinned in go.mod) ----------------------------
mkdir -p "$cache/bin"
(cd "$root" && go build -o "$cache/bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go \
            && go build -o "$cache/bin/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc)
log "protoc plugins in $cache/bin"

# --- SeaweedFS, the S3 server of the object-storage tests ------------------------
# Built from the Go proxy's source of a pinned version, as a module of its own
# (its go.mod has replace directives, so `go install pkg@version` refuses it;
# and it must never enter our go.mod). Skipped when the pinned binary is there.
# Building it takes long (a large program): measured here, see docs/storage.md.
weed_version=v0.0.0-20261109003541-7506e5f91cd6
weed=$cache/bin/weed
if [ -x "$weed" ] && [ "$(cat "$weed.version" 2>/dev/null)" = "$weed_version" ]; then
  log "SeaweedFS: $weed ($weed_version)"
else
  log "SeaweedFS: building weed $weed_version (takes a while)"
  weed_src=$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "github.com/seaweedfs/seaweedfs@$weed_version" |
             sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$weed_src" ] || die "SeaweedFS: go mod download gave no source folder"
  (cd "$weed_src" && GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -o "$weed.part" ./weed)
  mv "$weed.part" "$weed"
  echo "$weed_version" > "$weed.version"
  log "SeaweedFS: built $weed"
fi

# --- services the tests talk to -----------------------------------------------
# The store and notification tests use PostgreSQL (127.0.0.1:5432, database
# test, trust auth for the local user) and an MQTT broker (127.0.0.1:1883).
# The project's CI machines run both; elsewhere Mosquitto is installed and
# started here, and PostgreSQL is only checked, since setting up its
# authentication is the machine owner's call.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 1883; then
  if ! command -v mosquitto >/dev/null; then
    log "installing mosquitto"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends mosquitto
  fi
  log "starting mosquitto on 127.0.0.1:1883"
  mosquitto -d -p 1883 2>/dev/null || mosquitto -d
fi
port_open 5432 || log "WARNING: no PostgreSQL on 127.0.0.1:5432: the PostgreSQL store tests will fail (install postgresql, create database test, allow local trust auth, or set XIUHUA_TEST_POSTGRES)"

# --- browser tests: playwright-core (pinned in hack/browser/package-lock.json)
# drives Debian's chromium; no browser download. leaflet, pinned there too, is
# the source of server/web/assets/leaflet (a Go test compares them).
if [ -f "$root/hack/browser/node_modules/playwright-core/package.json" ] &&
   [ "$root/hack/browser/node_modules/.package-lock.json" -nt "$root/hack/browser/package-lock.json" ]; then
  log "browser tests: playwright-core present"
else
  log "browser tests: npm ci in hack/browser"
  (cd "$root/hack/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi

# --- test data and models -----------------------------------------------------
"$root/hack/fetch-testdata.sh"
"$root/hack/fetch-models.sh"
log "done"
