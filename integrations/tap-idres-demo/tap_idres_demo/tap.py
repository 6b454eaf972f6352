"""tap-idres-demo: reads one Postgres table incrementally by a modification timestamp (e.g. updated_at).

Config: {"database_url": "postgres://...", "table": "public.people", "key": "id", "replication_key": "updated_at",
         "lookback_seconds": 300, "page_size": 500, "stream": "people"}
State:  {"bookmarks": {"<stream>": {"replication_key_value": "<ISO timestamp>"}}}

Each run reads rows with replication_key >= bookmark - lookback (re-reading the last N seconds, so rows committed
late with an older timestamp are not missed), in (replication_key, key) order, page by page (keyset pagination:
bounded memory), and emits a STATE after each page with the greatest replication_key value emitted so far.
The re-read rows are sent again; a target that replaces records by key (idres does) makes that a no-op.
"""
import argparse
import datetime as dt
import json
import sys

import psycopg


def emit(msg):
    sys.stdout.write(json.dumps(msg, default=str) + "\n")
    sys.stdout.flush()


def main(argv=None):
    p = argparse.ArgumentParser(prog="tap-idres-demo")
    p.add_argument("--config", "-c", required=True)
    p.add_argument("--state", "-s")
    p.add_argument("--discover", action="store_true")
    args = p.parse_args(argv)
    with open(args.config, encoding="utf-8") as f:
        cfg = json.load(f)
    stream = cfg.get("stream", cfg["table"].split(".")[-1])
    key, rk = cfg["key"], cfg.get("replication_key", "updated_at")
    lookback = dt.timedelta(seconds=int(cfg.get("lookback_seconds", 300)))
    page = int(cfg.get("page_size", 500))
    state = {}
    if args.state:
        with open(args.state, encoding="utf-8") as f:
            text = f.read().strip()
            state = json.loads(text) if text else {}
    bookmark = ((state.get("bookmarks") or {}).get(stream) or {}).get("replication_key_value")
    schema_name, table = cfg["table"].split(".") if "." in cfg["table"] else ("public", cfg["table"])
    with psycopg.connect(cfg["database_url"]) as conn:
        cols = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (schema_name, table)).fetchall()]
        if not cols:
            sys.stderr.write(f"[tap-idres-demo] table {schema_name}.{table} not found\n")
            sys.exit(1)
        emit({"type": "SCHEMA", "stream": stream, "key_properties": [key], "bookmark_properties": [rk],
              "schema": {"type": "object", "properties": {c: {} for c in cols}}})
        if args.discover:
            return
        since = dt.datetime.fromisoformat(bookmark) - lookback if bookmark else None
        ident = lambda s: '"' + s.replace('"', '""') + '"'
        q = f"SELECT {', '.join(ident(c) for c in cols)} FROM {ident(schema_name)}.{ident(table)}"
        last = None  # (rk value, key value) of the last row emitted: keyset pagination
        high = bookmark
        while True:
            where, params = [], []
            if since is not None:
                where.append(f"{ident(rk)} >= %s")
                params.append(since)
            if last is not None:
                where.append(f"({ident(rk)}, {ident(key)}) > (%s, %s)")
                params.extend(last)
            sql = q + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {ident(rk)}, {ident(key)} LIMIT {page}"
            rows = conn.execute(sql, params).fetchall()
            for r in rows:
                rec = dict(zip(cols, r))
                emit({"type": "RECORD", "stream": stream, "record": rec})
                last = (rec[rk], rec[key])
                v = rec[rk].isoformat() if hasattr(rec[rk], "isoformat") else str(rec[rk])
                if high is None or dt.datetime.fromisoformat(v) > dt.datetime.fromisoformat(high):
                    high = v
            if high is not None:
                emit({"type": "STATE", "value": {"bookmarks": {stream: {"replication_key_value": high}}}})
            if len(rows) < page:
                break


if __name__ == "__main__":
    main()
