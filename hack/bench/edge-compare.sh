#!/usr/bin/env bash
# Runs `bench edge` for this checkout and for another revision side by
# side, alternating per K, so that both see the same machine (load drifts;
# compare the two lines of one K, not numbers from different runs).
#
#   hack/bench/edge-compare.sh [REF] [bench edge flags...]
#
# REF (default main) is built from `git archive`, without touching any
# worktree. Example, what README "Measured" quotes:
#
#   hack/bench/edge-compare.sh main -cameras 16,32,64,96
#   hack/bench/edge-compare.sh main -cameras 64 -regions full -width 416 -height 312
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ref=${1:-main}
shift || true
counts=16,32,64,96
args=()
while (($#)); do
  if [ "$1" = -cameras ]; then counts=$2; shift 2; else args+=("$1"); shift; fi
done
# The old tree is built outside the checkout: it finds the shared test data
# through the variable rather than ../shared.
export XIUHUA_TESTDATA=${XIUHUA_TESTDATA:-$(cd "$root/../shared/testdata" && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/old"
git -C "$root" archive "$ref" | tar -x -C "$tmp/old"
new=$(git -C "$root" rev-parse --short HEAD)
git -C "$root" diff --quiet HEAD || new="$new+changes"
old=$(git -C "$root" rev-parse --short "$ref")
echo "building bench: this checkout ($new) and $ref ($old)" >&2
(cd "$root" && go build -o "$tmp/bench-new" ./hack/bench)
(cd "$tmp/old" && go build -o "$tmp/bench-old" ./hack/bench)
for k in ${counts//,/ }; do
  for which in old new; do
    rev=$old; [ $which = new ] && rev=$new
    echo "== K=$k $which ($rev), uptime: $(uptime)"
    "$tmp/bench-$which" edge -cameras "$k" "${args[@]}" | grep -v '^+MiB/cam:'
  done
done
