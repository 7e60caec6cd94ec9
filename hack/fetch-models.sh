#!/usr/bin/env bash
# Puts the ONNX weights that models/*.yaml refer to beside the manifests
# (models/*.onnx is git-ignored). Takes them from the test data when present,
# else from the upstream release; always checks the sha256 in the manifest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log() { printf 'models: %s\n' "$*" >&2; }

name=yolox_nano.onnx
sha=695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14
url=https://github.com/Kazuhito00/YOLOX-ONNX-TFLite-Sample/raw/main/model/yolox_nano.onnx
dst=$root/models/$name
if [ -f "$dst" ] && [ "$(sha256sum "$dst" | cut -d' ' -f1)" = "$sha" ]; then
  log "$name present"; exit 0
fi
src=""
for d in "${XIUHUA_TESTDATA:-}" "$root/../shared/testdata" "${XIUHUA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xiuhua}/testdata"; do
  [ -n "$d" ] && [ -f "$d/models/$name" ] && { src=$d/models/$name; break; }
done
if [ -n "$src" ]; then
  cp "$src" "$dst.part"
else
  log "downloading $url"
  curl -fsSL --connect-timeout 10 --max-time 600 -o "$dst.part" "$url"
fi
if [ "$(sha256sum "$dst.part" | cut -d' ' -f1)" != "$sha" ]; then
  rm -f "$dst.part"; echo "models: sha256 mismatch for $name, expected $sha" >&2; exit 1
fi
mv "$dst.part" "$dst"
log "$name installed"
