#!/usr/bin/env bash
# Makes the test data available: ../shared/testdata beside the checkout when
# present, else downloads the same files from upstream into the cache, each
# checked against its sha256.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XIUHUA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xiuhua}
log() { printf 'testdata: %s\n' "$*" >&2; }

for d in "${XIUHUA_TESTDATA:-}" "$root/../shared/testdata"; do
  if [ -n "$d" ] && [ -f "$d/models/yolox_nano.onnx" ]; then
    log "using $(cd "$d" && pwd)"; exit 0
  fi
done

dst=$cache/testdata
mkdir -p "$dst/models" "$dst/media" "$dst/images"
fetch() { # url dest sha256
  if [ -f "$2" ] && { [ -z "$3" ] || [ "$(sha256sum "$2" | cut -d' ' -f1)" = "$3" ]; }; then return; fi
  log "downloading $1"
  curl -fsSL --connect-timeout 10 --max-time 600 -o "$2.part" "$1" || { echo "testdata: cannot download $1" >&2; exit 1; }
  if [ -n "$3" ] && [ "$(sha256sum "$2.part" | cut -d' ' -f1)" != "$3" ]; then
    echo "testdata: sha256 mismatch for $1" >&2; rm -f "$2.part"; exit 1
  fi
  mv "$2.part" "$2"
}
fetch https://github.com/Kazuhito00/YOLOX-ONNX-TFLite-Sample/raw/main/model/yolox_nano.onnx \
  "$dst/models/yolox_nano.onnx" 695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14
fetch https://raw.githubusercontent.com/opencv/opencv/4.x/samples/data/vtest.avi \
  "$dst/media/vtest.avi" 45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
cp "$root/models/coco_classes.txt" "$dst/models/coco_classes.txt"
for id in 000000000139 000000000785 000000001268 000000001503 000000001818 000000002157 \
          000000002532 000000003156 000000003845 000000004765 000000005193 000000005600 \
          000000006460 000000006771 000000007108 000000007574 000000007888 000000008277 \
          000000008844 000000009483; do
  fetch "http://images.cocodataset.org/val2017/$id.jpg" "$dst/images/$id.jpg" ""
done
log "downloaded into $dst"
