#!/usr/bin/env bash
# Installs the test tools that come from PyPI, pinned with hashes, into
# target/tools/<name>: a virtual environment per lock file, rebuilt when the
# lock file changes. Prints nothing when they are current.
set -euo pipefail
cd "$(dirname "$0")/.."
for lock in scripts/python/*.txt; do
  name=$(basename "$lock" .txt)
  venv="target/tools/$name"
  stamp="$venv/.lock-sha256"
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    continue
  fi
  echo "tools.sh: installing $name"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$lock"
  echo "$want" >"$stamp"
done
