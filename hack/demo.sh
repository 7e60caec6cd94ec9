#!/usr/bin/env bash
# Runs the whole system on this machine: the camera simulator, the server and
# an edge node, with the demo configs in hack/demo/. Ctrl-C stops all three.
# Expects `make build` (bin/) and hack/setup.sh to have run: `make demo` does both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

testdata=""
for d in "${XIUHUA_TESTDATA:-}" "$root/../shared/testdata" "${XIUHUA_CACHE:-$HOME/.cache/xiuhua}/testdata"; do
  [ -n "$d" ] && [ -f "$d/media/vtest.avi" ] && { testdata=$d; break; }
done
[ -n "$testdata" ] || { echo "demo: vtest.avi not found: run hack/setup.sh" >&2; exit 1; }

# The demo camera shows vtest.avi with a chair left on the lawn for a minute
# of every loop: something for the street_vending rule to find. Staged once
# and cached; camsim transcodes it to H.264 once too.
cache=${XIUHUA_CACHE:-$HOME/.cache/xiuhua}
staged=$cache/media/vtest-chair.avi
if [ ! -f "$staged" ]; then
  mkdir -p "$cache/media"
  bin/stage -in "$testdata/media/vtest.avi" -out "$staged.part.avi" \
    -image "$testdata/images/000000000139.jpg" -crop 370,210,446,320 -scale 1.6 -at 30,384 -from 10s -for 60s
  mv "$staged.part.avi" "$staged"
fi

mkdir -p data
# The edge's device token: registered (again, which replaces the old one)
# before the server starts, and handed to the edge in a file.
bin/server device add -config hack/demo/server.yaml edge-demo > data/edge-demo.token.part
mv data/edge-demo.token.part data/edge-demo.token
chmod 600 data/edge-demo.token
# Its key is pinned at its first Hello; unpin it so that a demo whose
# data/edge was removed (a new key) still connects. A real box keeps its
# pin: see docs/security.md.
bin/server device rekey -config hack/demo/server.yaml edge-demo 2>/dev/null
# The first admin's password; it is set on the first run only (data/server
# keeps the account), so keep the same XIUHUA_ADMIN_PASSWORD across runs.
export XIUHUA_ADMIN_PASSWORD=${XIUHUA_ADMIN_PASSWORD:-xiuhua-demo}

pids=()
# say prints a line if anyone still reads it: under `make demo | tee demo.log`
# Ctrl-C ends tee too, and the shutdown must not die writing to a closed pipe.
say() { printf '%s\n' "$*" 2>/dev/null || true; }
stop() {
  trap - INT TERM EXIT
  trap '' PIPE
  set +e
  say ""; say "demo: stopping"
  # One at a time, edge first: it finishes the report it is sending before
  # the server goes away, and the server before its camera.
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null
    wait "${pids[i]}" 2>/dev/null
  done
  say "demo: stopped"
}
trap stop INT TERM EXIT

# Each child runs in its own session so that Ctrl-C reaches only this script,
# which then stops them in order.
setsid bin/camsim -listen 127.0.0.1:8554 -stream "cam1=$staged" &
pids+=($!)
setsid bin/server -config hack/demo/server.yaml &
pids+=($!)
for _ in $(seq 100); do curl -fs http://127.0.0.1:8080/healthz >/dev/null 2>&1 && break; sleep 0.2; done
setsid bin/edge -config hack/demo/edge.yaml &
pids+=($!)

cat <<MSG

  Xiuhua demo is running.
  Cases:    http://127.0.0.1:8080/   (review queue; map, statistics and, for admin, models in the top bar;
            English: ?lang=en)
  Login:    admin / $XIUHUA_ADMIN_PASSWORD   (set on the first run; rm -rf data/server to start over)
  API:      http://127.0.0.1:8080/api/v1/cases  (sign in, or: bin/server token add -config hack/demo/server.yaml -role admin NAME,
            then curl -H "Authorization: Bearer TOKEN" ...)
  Camera:   rtsp://127.0.0.1:8554/cam1
  Metrics:  http://127.0.0.1:9100/metrics (edge), http://127.0.0.1:8080/metrics (server)

  The first cases appear within a minute. Ctrl-C stops everything.

MSG
wait -n "${pids[@]}" || true
