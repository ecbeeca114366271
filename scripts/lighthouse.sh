#!/usr/bin/env bash
# Lighthouse 12.2.3 (pinned in bench/lighthouse/package-lock.json) on
# Interlink's pages, mobile, with Debian's chromium, against `interlink up`
# built for release on a fresh data directory (a public process and a story
# seeded through the REST API). Prints each page's Performance,
# Accessibility and Best Practices beside the targets (≥ 95, 100, ≥ 95);
# the HTML reports go to target/lighthouse/. A bench, not a test: it is
# not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/browser.sh
modules=bench/lighthouse/node_modules
stamp="$modules/.lock-sha256"
want=$(sha256sum bench/lighthouse/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "lighthouse.sh: installing bench/lighthouse's npm packages"
  npm ci --prefix bench/lighthouse --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" >"$stamp"
fi
cargo build --release --bin interlink
binary=${CARGO_TARGET_DIR:-target}/release/interlink
data=$(mktemp -d)
port=${LIGHTHOUSE_PORT:-18480}
INTERLINK__GATEWAY__LISTEN=127.0.0.1:$port INTERLINK__GRPC__LISTEN=127.0.0.1:0 \
  "$binary" up --data-dir "$data" >"$data/up.log" 2>&1 &
up=$!
trap 'kill $up 2>/dev/null; wait $up 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
token=$("$binary" token --sub lighthouse-admin --name "Bench Admin" --admin --data-dir "$data")
INTERLINK_BASE_URL=http://127.0.0.1:$port INTERLINK_TOKEN=$token \
  LIGHTHOUSE_REPORTS=${CARGO_TARGET_DIR:-target}/lighthouse \
  node bench/lighthouse/run.mjs
