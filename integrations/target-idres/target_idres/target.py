"""target-idres: Singer RECORD messages -> idres records, through ingest's POST /records (the HTTP entrance).

Config (--config FILE, JSON):
  ingest_url    e.g. http://127.0.0.1:7101
  source        idres source name of the records (default: the stream name)
  id_property   the record property that is the record ID (default: the stream's first key property)
  map           {"given_name": "first_name", ...}: canonical field (or attribute) -> record property, as --map
  batch_size    records per request (default 500)

A STATE message is written to stdout only after every RECORD before it was accepted by ingest (which answers
"accepted" only once Kafka has acknowledged the record), so the bookmark a runner such as Meltano saves never
points past a record idres does not have. Records that ingest rejects (bad input) are reported on stderr with
their code and never block the bookmark; records answered "unavailable" (or a 503) are retried with backoff.
Values are never logged.
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request


class TargetError(Exception):
    pass


def log(msg):
    sys.stderr.write(f"[target-idres] {msg}\n")
    sys.stderr.flush()


def as_text(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    return json.dumps(v, sort_keys=True)


class Target:
    def __init__(self, config, out=sys.stdout, post=None):
        self.url = config["ingest_url"].rstrip("/") + "/records"
        self.source = config.get("source")
        self.id_property = config.get("id_property")
        self.map = config.get("map") or {}
        self.batch_size = int(config.get("batch_size", 500))
        self.max_retries = int(config.get("max_retries", 30))
        self.out = out
        self.post = post or self._post
        self.key_properties = {}
        self.buffer = []
        self.accepted = 0
        self.rejected = 0

    def _post(self, body):
        req = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"), method="POST",
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                return res.status, json.loads(res.read() or b"{}")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw or b"{}")
            except ValueError:
                return e.code, {}
        except (urllib.error.URLError, OSError) as e:
            return 0, {"error": "UNREACHABLE", "message": str(e)}

    def to_input(self, stream, record):
        id_prop = self.id_property or (self.key_properties.get(stream) or [None])[0]
        if not id_prop:
            raise TargetError(f"stream {stream}: no id_property configured and no key_properties in its SCHEMA")
        rec = {"source": self.source or stream, "sourceRecordId": as_text(record.get(id_prop)) or ""}
        for field, prop in self.map.items():
            v = as_text(record.get(prop))
            if v not in (None, ""):
                rec[field] = v
        return rec

    def flush(self):
        """Sends the buffer until every record is accepted or rejected (retrying what was not acknowledged)."""
        pending = self.buffer
        self.buffer = []
        delay = 0.5
        attempt = 0
        while pending:
            # ingest refuses two versions of one record in one request: send the latest of each, in order.
            latest = {}
            for rec in pending:
                latest[(rec["source"], rec["sourceRecordId"])] = rec
            batch = list(latest.values())
            status, body = self.post(batch)
            results = body.get("results") if isinstance(body, dict) else None
            if status in (200, 207, 400) and isinstance(results, list) and len(results) == len(batch):
                retry = []
                for rec, r in zip(batch, results):
                    if r.get("status") == "accepted":
                        self.accepted += 1
                    elif r.get("status") == "rejected":
                        self.rejected += 1
                        log(f"record {rec['source']}:{rec['sourceRecordId']} rejected: {r.get('code')} {r.get('reason')}")
                    else:
                        retry.append(rec)
                pending = retry
                if not retry:
                    return
            elif status == 503 or status == 0:
                if isinstance(results, list) and len(results) == len(batch):
                    pending = [rec for rec, r in zip(batch, results) if r.get("status") != "accepted"]
                    self.accepted += len(batch) - len(pending)
            else:
                raise TargetError(f"ingest answered {status} ({body.get('error') if isinstance(body, dict) else '?'}): "
                                  f"{body.get('message') if isinstance(body, dict) else ''}")
            attempt += 1
            if attempt > self.max_retries:
                raise TargetError(f"{len(pending)} records still not accepted after {attempt} tries; no STATE was emitted past them")
            time.sleep(delay)
            delay = min(delay * 2, 10)

    def handle(self, line):
        line = line.strip()
        if not line:
            return
        try:
            msg = json.loads(line)
        except ValueError:
            raise TargetError("a line of input is not JSON (is the tap writing Singer messages to stdout?)")
        kind = msg.get("type")
        if kind == "SCHEMA":
            self.key_properties[msg["stream"]] = msg.get("key_properties") or []
        elif kind == "RECORD":
            self.buffer.append(self.to_input(msg["stream"], msg.get("record") or {}))
            if len(self.buffer) >= self.batch_size:
                self.flush()
        elif kind == "STATE":
            # Every record before this STATE is in idres once flush returns: only then may the bookmark move.
            self.flush()
            self.out.write(json.dumps(msg.get("value")) + "\n")
            self.out.flush()
        # ACTIVATE_VERSION, BATCH and unknown types carry nothing for idres.

    def finish(self):
        self.flush()
        log(f"done: {self.accepted} records accepted, {self.rejected} rejected")


def main(argv=None):
    p = argparse.ArgumentParser(prog="target-idres")
    p.add_argument("--config", "-c", required=True)
    args = p.parse_args(argv)
    with open(args.config, encoding="utf-8") as f:
        config = json.load(f)
    t = Target(config)
    try:
        for line in sys.stdin:
            t.handle(line)
        t.finish()
    except TargetError as e:
        log(f"error: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
