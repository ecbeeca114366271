#!/usr/bin/env bash
# The wire contract: `buf lint`, then `buf breaking` (WIRE_JSON) of the
# current protos against each of the last 10 commits that changed them, so a
# change that would break existing clients fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v buf >/dev/null; then
  pip install -q buf-bin
fi
(cd proto && buf lint)
revs=$(git log --format=%H -n 10 -- proto/interlink proto/buf.yaml 2>/dev/null || true)
for rev in $revs; do
  if git cat-file -e "$rev:proto/buf.yaml" 2>/dev/null; then
    buf breaking proto --against ".git#ref=$rev,subdir=proto"
  fi
done
echo "proto-check: lint and breaking checks passed"
