#!/usr/bin/env bash
# The README's main job (npm start): install if needed, then start the stack and services and resolve the sample.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/kafkajs ] && [ -d node_modules/vite ] || npm ci --no-audit --no-fund
exec node packages/cli/bin/idres.mjs demo "$@"
