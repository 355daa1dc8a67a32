"""Scan POST throughput under the server `make run` starts: 32 concurrent keep-alive clients (wrk) on POST /api/v1/scans.

Targets on a 2-core machine: SQLite >= 1,200 req/s, p99 <= 40 ms, 0 errors; PostgreSQL >= 800 req/s, p99 <= 50 ms.
Afterwards the database must hold exactly one ledger row per 201 answer (nothing lost, nothing doubled).
Scans go round every bundle at the bench operator's own operation: the floor (--bundles x 40 pieces of it,
120,000 pieces by default) outlasts any speed this machine reaches in the run, so no answer is a 409.

    .venv/bin/python bench/scan_bench.py                       # SQLite
    .venv/bin/python bench/scan_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/scan_bench.py --code ../baseline    # another checkout's code, same bench
    .venv/bin/python bench/scan_compare.py --baseline ../baseline   # both, alternating (see there)
    .venv/bin/python bench/scan_bench.py --baseline ../baseline --rounds 4 --postgres URL --pg-database bench_x
        # before/after in one run: the baseline checkout's server (gunicorn before granian) vs this one's
    .venv/bin/python bench/scan_bench.py --durable --rounds 4   # SQLite without / with SHOPFLOOR_DURABLE=1
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile

import common
import scan_compare
from common import build_floor, drop_database, fresh_database, make_app, serve, server_shape, sign_in

LUA = r"""
local codes = {%(codes)s}
local ops = {%(ops)s}
local counter = 0
local threads = {}
local created = 0
tid = 0
statuses = {}

function setup(thread)
  created = created + 1
  thread:set("tid", created)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function request()
  counter = counter + 1
  local i = counter %% (#codes * #ops)
  local code = codes[(i %% #codes) + 1]
  local op = ops[math.floor(i / #codes) + 1]
  local body = '{"bundle":"' .. code .. '","operation":' .. op .. ',"qty":1,"client_id":"%(run)s-' .. tid .. '-' .. counter .. '"}'
  return wrk.format("POST", "/api/v1/scans", nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("STATUS %%d %%d\n", k, v)) end
  io.write(string.format("P99_US %%d\nP50_US %%d\nP90_US %%d\nMAX_US %%d\n", latency:percentile(99),
           latency:percentile(50), latency:percentile(90), latency.max))
end
"""


def proc_failed(p) -> bool:
    return p.returncode != 0


def run(kind: str, pg_url: str | None, port: int, workers: int | None, threads: int | None, seconds: int,
        bundles: int = 3000, pg_database: str | None = None) -> dict:
    default_workers, default_threads = server_shape()  # the defaults `make run` uses
    workers, threads = workers or default_workers, threads or default_threads
    workdir = tempfile.mkdtemp(prefix="sf-bench-")
    url = fresh_database(kind, workdir, pg_url, pg_database)
    try:
        app = make_app(url)
        floor = build_floor(app, bundles=bundles)
        from shopfloor.extensions import db

        with app.app_context():
            db.engine.dispose()
        with serve(url, port, workers, threads, workdir) as (host, server_pid):
            cookie, token = sign_in(host, floor["operators"][0])
            script = os.path.join(workdir, "scan.lua")
            with open(script, "w") as fh:
                fh.write(LUA % {"codes": ",".join(f'"{c}"' for c in floor["codes"]),
                                "ops": ",".join(str(o) for o in floor["operations"]), "run": os.path.basename(workdir)})
            cpu0 = common.server_cpu_seconds(server_pid)
            out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "5s", "-s", script,
                                  "-H", f"Cookie: {cookie}", "-H", f"X-CSRFToken: {token}",
                                  "-H", "Content-Type: application/json", f"http://{host}"],
                                 capture_output=True, text=True)
            cpu = common.server_cpu_seconds(server_pid) - cpu0
            if proc_failed(out):
                raise SystemExit(out.stderr + out.stdout)
            out = out.stdout
        statuses = {int(a): int(b) for a, b in re.findall(r"STATUS (\d+) (\d+)", out)}
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p99 = int(re.search(r"P99_US (\d+)", out).group(1)) / 1000
        p50 = int(re.search(r"P50_US (\d+)", out).group(1)) / 1000
        p90 = int(re.search(r"P90_US (\d+)", out).group(1)) / 1000
        pmax = int(re.search(r"MAX_US (\d+)", out).group(1)) / 1000
        socket_errors = re.search(r"Socket errors: (.*)", out)
        with app.app_context():
            from sqlalchemy import text

            rows, pieces = db.session.execute(text("SELECT count(*), coalesce(sum(pieces), 0) FROM work_log")).one()
            progress = db.session.execute(text("SELECT coalesce(sum(done), 0) FROM bundle_op_progress")).scalar()
            db.engine.dispose()
        created = statuses.get(201, 0)
        errors = sum(v for k, v in statuses.items() if k not in (200, 201))
        answered = sum(statuses.values())
        return {"kind": kind, "cpu_us": cpu * 1e6 / answered if answered else 0.0, "code": common.CODE, "refused_409": statuses.get(409, 0), "rps": rps,
                "p50": p50, "p90": p90, "max": pmax, "p99": p99, "created": created, "errors": errors,
                "socket_errors": socket_errors.group(1) if socket_errors else "none", "rows": rows,
                "pieces": pieces, "progress": progress, "workers": workers, "threads": threads}
    finally:
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


def report(r: dict) -> None:
    target_rps, target_p99 = (1200, 40) if r["kind"] == "sqlite" else (800, 50)
    ok = r["rps"] >= target_rps and r["p99"] <= target_p99 and r["errors"] == 0
    # Requests still in flight when wrk stops are committed but not counted by wrk: at most one per connection.
    consistent = r["rows"] == r["pieces"] == r["progress"] and 0 <= r["rows"] - r["created"] <= 32
    print(f"scan POST  {r['kind']:<10} {r['workers']}x{r['threads']}  {r['rps']:8.0f} req/s  p50 {r['p50']:5.1f} ms  "
          f"p90 {r['p90']:5.1f} ms  server CPU {r['cpu_us']:.0f} us/req  p99 {r['p99']:5.1f} ms  max {r['max']:5.0f} ms  errors {r['errors']} (socket: {r['socket_errors']})  "
          f"target >= {target_rps} req/s, p99 <= {target_p99} ms: {'OK' if ok else 'MISSED'}")
    if r["refused_409"]:
        print(f"           {r['refused_409']} answers were 409: the floor ran out of pieces (raise --bundles)")
    print(f"           ledger rows {r['rows']} = pieces {r['pieces']} = counters {r['progress']}; 201 answers "
          f"{r['created']} (+{r['rows'] - r['created']} in flight at the cut-off): "
          f"{'consistent, nothing lost or doubled' if consistent else 'INCONSISTENT'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", help="PostgreSQL server URL; a fresh database is created and dropped")
    ap.add_argument("--only-postgres", action="store_true")
    ap.add_argument("--port", type=int, default=8191)
    ap.add_argument("--seconds", type=int, default=12)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--bundles", type=int, default=3000, help="bundles of 40 pieces on the floor")
    ap.add_argument("--pg-database", help="name of the throw-away PostgreSQL database (default: a random one)")
    ap.add_argument("--code", help="measure the code of this checkout instead of this one's")
    ap.add_argument("--json", action="store_true", help="print each result as one JSON line")
    ap.add_argument("--baseline", help="compare against this checkout, alternating rounds (scan_compare.py)")
    ap.add_argument("--durable", action="store_true", help="compare SQLite without and with SHOPFLOOR_DURABLE=1")
    ap.add_argument("--rounds", type=int, default=4, help="rounds of each side with --baseline / --durable")
    a = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    if a.baseline or a.durable:
        a.pg_database = a.pg_database or "sf_bench_compare"
        if a.baseline and not a.only_postgres:
            scan_compare.compare("sqlite", a)
        if a.baseline and a.postgres:
            scan_compare.compare("postgresql", a)
        if a.durable:
            scan_compare.compare_durable(a)
        return
    if a.code:
        common.use_code(a.code)
    show = (lambda r: print(json.dumps(r), flush=True)) if a.json else report
    if not a.only_postgres:
        show(run("sqlite", None, a.port, a.workers, a.threads, a.seconds, a.bundles))
    if a.postgres:
        show(run("postgresql", a.postgres, a.port, a.workers, a.threads, a.seconds, a.bundles, a.pg_database))


if __name__ == "__main__":
    main()
