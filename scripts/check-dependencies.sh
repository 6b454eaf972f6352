#!/usr/bin/env bash
# Supply-chain checks (CI runs this after npm ci; docs/security.md). npm ci itself refuses a tarball whose hash
# differs from package-lock.json; this makes sure every hash is there to be checked and every source is allowed:
#  1. lockfile-lint: https only, from the npm registry only, sha512 integrity, names matching their URLs;
#  2. every installed package entry has an integrity hash (lockfile-lint skips entries without one);
#  3. npm audit of the production dependencies (fails on high or critical advisories); where the registry does
#     not serve the advisory endpoint (this workplace's does not: 405), that is said and the check is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/lockfile-lint --path package-lock.json --type npm --validate-https --allowed-hosts npm --validate-integrity --validate-package-names
node -e '
const lock = require("./package-lock.json");
const missing = Object.entries(lock.packages).filter(([k, v]) => k.startsWith("node_modules/") && !v.link && !v.integrity).map(([k]) => k);
if (missing.length) { console.error(`package-lock.json entries without an integrity hash: ${missing.join(", ")}`); process.exit(1); }
console.log(`lockfile: ${Object.keys(lock.packages).length} entries, every installed package pinned by sha512`);
'
audit="$(npm audit --omit=dev --audit-level=high --json --fetch-retries=0 --fetch-timeout=20000 2>/dev/null || true)"
AUDIT="$audit" node -e '
let r;
try { r = JSON.parse(process.env.AUDIT || "{}"); } catch { r = { error: { summary: "unparseable answer" } }; }
if (r.error) { console.log(`npm audit: advisory endpoint unavailable here (${r.message || r.error.summary || r.error.code || "error"}); skipped, see docs/security.md`); process.exit(0); }
const v = (r.metadata && r.metadata.vulnerabilities) || {};
console.log(`npm audit (production dependencies): ${JSON.stringify(v)}`);
if ((v.high || 0) + (v.critical || 0) > 0) { console.error("high or critical advisories: run npm audit --omit=dev"); process.exit(1); }
'
