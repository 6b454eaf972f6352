#!/usr/bin/env bash
# CI check of the README's first command: `npm start` on a reset stack (empty topics, registry, Postgres, Redis),
# non-interactively, must resolve the bundled sample and print its summary. A newcomer's first run once failed
# here (six services racing to register schemas in an empty registry) while every test passed.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
node packages/cli/bin/idres.mjs services down
bash scripts/stack.sh reset
status=0
timeout 900 npm start -- --no-wait 2>&1 | tee "$out" || status=$?
node packages/cli/bin/idres.mjs services down
if [[ $status != 0 ]]; then echo "first-run check: npm start exited $status" >&2; exit 1; fi
for want in 'records in' 'identities out' 'pairwise quality' 'lookup API' 'web console'; do
  grep -q "$want" "$out" || { echo "first-run check: npm start printed no '$want' line" >&2; exit 1; }
done
echo "first-run check: npm start resolved the sample on a reset stack"
