#!/usr/bin/env bash
# The environment page on a 2,000 apps × 10 resources App of Apps, end to end: writes the Git
# repository (atrium-engine-bench --write-env, which also prints the engine's figures), serves it
# with the optimised build on the simulated cluster, and measures it in headless Chromium
# (bench/tree-render.mjs). Usage: bench/tree-render.sh [--apps N] [--resources M] [--browser-only]
# [--compare] (--browser-only: skip the engine's own figures, only write the repository;
# --compare: two such environments, one app in ten newer in the second, and the compare view
# measured instead, bench/compare-render.mjs).
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"
APPS=2000
RESOURCES=10
WRITE_ONLY=()
ENVS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --browser-only) WRITE_ONLY=(--write-only); shift ;;
    --compare) ENVS=2; WRITE_ONLY=(--write-only); shift ;;
    --apps) APPS="$2"; shift 2 ;;
    --resources) RESOURCES="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
ensure_node_packages
ensure_chromium
"$ROOT/.ci/build" --release
cargo build --release -p atrium-server --bin atrium-engine-bench
DIR="$(mktemp -d /tmp/atrium-tree-bench.XXXXXX)"
PORT="${ATRIUM_BENCH_PORT:-3290}"
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
"$CARGO_TARGET_DIR/release/atrium-engine-bench" --apps "$APPS" --resources "$RESOURCES" --envs "$ENVS" --write-env "$DIR" "${WRITE_ONLY[@]}"
echo
ATRIUM_LISTEN="127.0.0.1:$PORT" ATRIUM_SITE_ROOT="$SITE_ROOT" ATRIUM_ENGINE__MAX_APPS=$((APPS + 1)) ATRIUM_HTTP__REQUESTS_PER_MINUTE=100000 \
  "$CARGO_TARGET_DIR/release/atrium" --config "$DIR/atrium.toml" serve >"$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 1
done
if [ "$ENVS" = 2 ]; then
  node "$ROOT/bench/compare-render.mjs" "http://127.0.0.1:$PORT" bench bench-2 5
else
  node "$ROOT/bench/tree-render.mjs" "http://127.0.0.1:$PORT" bench 5
fi
