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
# The printed lookup URL refuses a call without the demo's token and answers it with the token (docs/security.md).
without=none with=none console_without=none console_with=none
if [[ $status == 0 ]]; then
  lookup="$(grep -o 'http://127.0.0.1:[0-9]*/identities/MDM_[0-9]*' "$out" | head -1)"
  token_file="$(sed -n 's/^  API token *\([^ ]*\) .*/\1/p' "$out" | head -1)"
  sleep 2 # services notice the first token within IDRES_AUTH_CACHE_MS
  without="$(curl -s -o /dev/null -w '%{http_code}' "$lookup" || true)"
  with="$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $(cat "$token_file")" "$lookup" || true)"
  console="$(grep -o 'http://127.0.0.1:[0-9]*/#/identity' "$out" | head -1 | sed 's,/#/identity,,')"
  console_without="$(curl -s -o /dev/null -w '%{http_code}' "$console/api/me" || true)"
  # The console reads identities through the lookup API with the token the demo created after it started.
  console_with="$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $(cat "$token_file")" "$console/api/identities/${lookup##*/}" || true)"
fi
node packages/cli/bin/idres.mjs services down
if [[ $status != 0 ]]; then echo "first-run check: npm start exited $status" >&2; exit 1; fi
for want in 'records in' 'identities out' 'pairwise quality' 'lookup API' 'web console' 'report'; do
  grep -q "$want" "$out" || { echo "first-run check: npm start printed no '$want' line" >&2; exit 1; }
done
# The data-quality report the summary points to exists and holds its charts.
grep -q 'Identities by number of records' .stack/demo-report.html || { echo "first-run check: npm start wrote no data-quality report at .stack/demo-report.html" >&2; exit 1; }
[[ $without == 401 && $with == 200 ]] || { echo "first-run check: the lookup API answered $without without the demo's token and $with with it (want 401, 200)" >&2; exit 1; }
[[ $console_without == 401 && $console_with == 200 ]] || { echo "first-run check: the console answered $console_without without the demo's token and $console_with for an identity with it (want 401, 200)" >&2; exit 1; }
echo "first-run check: npm start resolved the sample on a reset stack; its lookup URL and console need the token it printed"
