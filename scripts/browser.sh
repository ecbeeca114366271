#!/usr/bin/env bash
# Installs what the browser tests (tests/browser.rs) drive: Debian's
# chromium (never a browser download) and the npm packages pinned in
# tests/browser/package-lock.json (playwright-core, axe-core), reinstalled
# when the lock file changes. Prints nothing when both are current.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "browser.sh: installing Debian's chromium"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y --no-install-recommends chromium >/dev/null ||
    { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends chromium >/dev/null; }
fi
modules=tests/browser/node_modules
stamp="$modules/.lock-sha256"
want=$(sha256sum tests/browser/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "browser.sh: installing tests/browser's npm packages"
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" >"$stamp"
fi
