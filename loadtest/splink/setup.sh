#!/usr/bin/env bash
# Create loadtest/splink/.venv with Splink 4.x + DuckDB (pinned in requirements.txt).
# Idempotent: if the venv already has exactly the pinned versions, does nothing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
REQ="$HERE/requirements.txt"
PY="${PYTHON:-python3}"

want_splink="$(grep -E '^splink==' "$REQ" | cut -d= -f3)"
want_duckdb="$(grep -E '^duckdb==' "$REQ" | cut -d= -f3)"

if [ -x "$VENV/bin/python" ]; then
  have="$("$VENV/bin/python" - <<'PY' 2>/dev/null || true
import importlib.metadata as m
try:
    print(m.version("splink"), m.version("duckdb"))
except Exception:
    print("")
PY
)"
  if [ "$have" = "$want_splink $want_duckdb" ]; then
    echo "splink $want_splink + duckdb $want_duckdb already installed in $VENV"
    exit 0
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r "$REQ"
"$VENV/bin/python" -c 'import splink, duckdb; print("installed splink", splink.__version__, "duckdb", duckdb.__version__)'
