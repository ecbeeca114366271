#!/usr/bin/env bash
# The deployment checks: builds the binary with the Dockerfile's own build
# command (in debug: see below), then renders, lints and validates the Helm chart offline for the
# default and every PA's values, rejects the broken values files, and starts
# every role from the environment the chart gives it (deploy/chart_check.py).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-deploy
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r deploy/requirements.txt
build=$(sed -n 's/^RUN \(cargo build .*\)$/\1/p' deploy/Dockerfile)
if [ -z "$build" ]; then
  echo "deploy/Dockerfile has no 'RUN cargo build' line" >&2
  exit 1
fi
case "$build" in
  *" --release"*) ;;
  *) echo "deploy/Dockerfile must build the release binary: $build" >&2; exit 1 ;;
esac
# The Dockerfile's own command, as a debug build: the same lockfile and
# binary, already compiled by the tests, so no release build (tens of
# minutes cold) sits in the test path. The image's release build is the
# Dockerfile's, and `cargo bench`'s.
debug_build=${build/ --release/}
echo "+ $debug_build"
$debug_build
"$venv/bin/python" deploy/chart_check.py --binary "${CARGO_TARGET_DIR:-target}/debug/interlink"
