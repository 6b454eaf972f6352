#!/usr/bin/env bash
# The browser the console's end-to-end tests drive (test/integration/console.test.ts: playwright-core pointed at
# Debian's chromium, no browser download). Idempotent: nothing happens when it is installed. Called by npm test.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CHROMIUM="${IDRES_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] && exit 0
# shellcheck source=stack/lib.sh
source "$REPO_ROOT/scripts/stack/lib.sh"
mkdir -p "$STACK_DIR"
apt_install chromium
[[ -x "$CHROMIUM" ]] || die "chromium installed but $CHROMIUM is missing (set IDRES_CHROMIUM to its path)"
