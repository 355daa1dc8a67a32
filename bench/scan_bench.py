"""Scan POST throughput under the server `make run` starts: 32 concurrent keep-alive clients (wrk) on POST /api/v1/scans.

Targets on a 2-core machine: SQLite >= 1,200 req/s, p99 <= 40 ms, 0 errors; PostgreSQL >= 800 req/s, p99 <= 50 ms.
Afterwards the database must hold exactly one ledger row per 201 answer (nothing lost, nothing doubled).
Then two ceilings, same clients and bodies, the same workers: the scan's rules and writes alone (bench/rules_app.py:
record_scan without the app's web layer) and the bare stack (bench/bare_app.py: Flask and one INSERT); the app's
share of the bare stack is issue 17's figure (>= 0.60 on PostgreSQL), the rules' share what a hot path that keeps
them could reach at best.
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
import sys
import tempfile
from contextlib import contextmanager

import common
import scan_compare
from common import build_floor, drop_database, fresh_database, make_app, serve, server_shape, sign_in

HERE = os.path.dirname(os.path.abspath(__file__))

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


def _load(host: str, script: str, seconds: int, headers: list[str]) -> tuple[dict, str]:
    """wrk with 2 threads and 32 keep-alive connections for `seconds`; its figures and statuses."""
    argv = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "5s", "-s", script]
    for h in headers:
        argv += ["-H", h]
    out = subprocess.run(argv + [f"http://{host}"], capture_output=True, text=True)
    if proc_failed(out):
        raise SystemExit(out.stderr + out.stdout)
    out = out.stdout
    statuses = {int(a): int(b) for a, b in re.findall(r"STATUS (\d+) (\d+)", out)}
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p99": int(re.search(r"P99_US (\d+)", out).group(1)) / 1000,
            "p50": int(re.search(r"P50_US (\d+)", out).group(1)) / 1000,
            "p90": int(re.search(r"P90_US (\d+)", out).group(1)) / 1000,
            "max": int(re.search(r"MAX_US (\d+)", out).group(1)) / 1000,
            "socket_errors": socket_errors.group(1) if socket_errors else "none"}, statuses


def _script(workdir: str, codes: list[str], ops: list[int]) -> str:
    script = os.path.join(workdir, "scan.lua")
    with open(script, "w") as fh:
        fh.write(LUA % {"codes": ",".join(f'"{c}"' for c in codes), "ops": ",".join(str(o) for o in ops),
                        "run": os.path.basename(workdir)})
    return script


@contextmanager
def _rules_server(url: str, port: int, workers: int, workdir: str, operator: int):
    """bench/rules_app.py (record_scan alone) under granian, with the workers the app's run had."""
    env = dict(os.environ, RULES_DATABASE=url, RULES_OPERATOR=str(operator), RULES_CODE=common.CODE,
               SHOPFLOOR_WORKER="0", SHOPFLOOR_WEBHOOKS="0")
    argv = [sys.executable, "-m", "granian", "--interface", "wsgi", "--working-dir", HERE, "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--blocking-threads", "1", "--no-access-log",
            "rules_app:app"]
    with common.running_process(argv, env, port, workdir, "rules") as served:
        yield served


def run(kind: str, pg_url: str | None, port: int, workers: int | None, threads: int | None, seconds: int,
        bundles: int = 3000, pg_database: str | None = None, rules_only: bool = False) -> dict:
    """The app as `make run` serves it; with rules_only, bench/rules_app.py (the scan's rules and writes alone)."""
    default_workers, default_threads = server_shape()  # the defaults `make run` uses
    workers, threads = workers or default_workers, (1 if rules_only else threads or default_threads)
    workdir = tempfile.mkdtemp(prefix="sf-rules-" if rules_only else "sf-bench-")
    url = fresh_database(kind, workdir, pg_url, (pg_database + "_rules") if pg_database and rules_only else pg_database)
    try:
        app = make_app(url)
        floor = build_floor(app, bundles=bundles)
        from shopfloor.extensions import db

        with app.app_context():
            db.engine.dispose()
        operator = floor["operators"][0]
        server = (_rules_server(url, port, workers, workdir, operator) if rules_only
                  else serve(url, port, workers, threads, workdir))
        with server as (host, server_pid):
            headers = ["Content-Type: application/json"]
            if not rules_only:
                cookie, token = sign_in(host, operator)
                headers += [f"Cookie: {cookie}", f"X-CSRFToken: {token}"]
            script = _script(workdir, floor["codes"], floor["operations"])
            cpu0 = common.server_cpu_seconds(server_pid)
            figures, statuses = _load(host, script, seconds, headers)
            cpu = common.server_cpu_seconds(server_pid) - cpu0
        with app.app_context():
            from sqlalchemy import text

            rows, pieces = db.session.execute(text("SELECT count(*), coalesce(sum(pieces), 0) FROM work_log")).one()
            progress = db.session.execute(text("SELECT coalesce(sum(done), 0) FROM bundle_op_progress")).scalar()
            db.engine.dispose()
        created = statuses.get(201, 0)
        errors = sum(v for k, v in statuses.items() if k not in (200, 201))
        answered = sum(statuses.values())
        return {"kind": kind, "rules_only": rules_only, "cpu_us": cpu * 1e6 / answered if answered else 0.0,
                "code": common.CODE,
                "refused_409": statuses.get(409, 0), **figures, "created": created, "errors": errors, "rows": rows,
                "pieces": pieces, "progress": progress, "workers": workers, "threads": threads}
    finally:
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


def run_bare(kind: str, pg_url: str | None, port: int, workers: int, seconds: int, pg_database: str | None) -> dict:
    """The bare-stack ceiling (bench/bare_app.py: Flask + the driver, one conditional INSERT) under granian with
    the same workers, the same clients and the same request bodies."""
    workdir = tempfile.mkdtemp(prefix="sf-bare-")
    url = fresh_database(kind, workdir, pg_url, (pg_database + "_bare") if pg_database else None)
    bare_url = url if kind == "postgresql" else os.path.join(workdir, "bare.db")
    env = dict(os.environ, BARE_DATABASE=bare_url)
    try:
        subprocess.run([sys.executable, "-c", "import bare_app; bare_app.create_schema()"], cwd=HERE, env=env,
                       check=True)
        argv = [sys.executable, "-m", "granian", "--interface", "wsgi", "--working-dir", HERE, "--host", "127.0.0.1",
                "--port", str(port), "--workers", str(workers), "--blocking-threads", "1", "--no-access-log",
                "bare_app:app"]
        with common.running_process(argv, env, port, workdir, "bare") as (host, pid):
            script = _script(workdir, [f"B{i:05d}" for i in range(2000)], [1, 2])
            cpu0 = common.server_cpu_seconds(pid)
            figures, statuses = _load(host, script, seconds, ["Content-Type: application/json"])
            cpu = common.server_cpu_seconds(pid) - cpu0
        rows = int(subprocess.run([sys.executable, "-c", "import bare_app; print(bare_app.rows())"], cwd=HERE,
                                  env=env, check=True, capture_output=True, text=True).stdout)
        answered = sum(statuses.values())
        return {"kind": kind, "bare": True, **figures, "created": statuses.get(201, 0), "rows": rows,
                "errors": sum(v for k, v in statuses.items() if k not in (200, 201)),
                "cpu_us": cpu * 1e6 / answered if answered else 0.0, "workers": workers}
    finally:
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


def report_ceiling(app: dict, bare: dict, rules: dict | None = None) -> None:
    def of_bare(r: dict) -> float:
        return r["rps"] / bare["rps"] if bare["rps"] else 0.0

    ratio = of_bare(app)
    target = 0.70 if app["kind"] == "sqlite" else 0.60
    ok = ratio >= target and app["p99"] <= 40 and app["errors"] == 0
    print(f"bare stack {bare['kind']:<10} {bare['workers']}x1  {bare['rps']:8.0f} req/s  p99 {bare['p99']:5.1f} ms  "
          f"server CPU {bare['cpu_us']:.0f} us/req  errors {bare['errors']}  rows {bare['rows']}")
    print(f"           app / bare stack = {ratio:.2f} (target >= {target:.2f} with p99 <= 40 ms, 0 errors): "
          f"{'OK' if ok else 'MISSED'}")
    if rules is not None:
        print(f"           scan rules alone / bare stack = {of_bare(rules):.2f}: the most a hot path that keeps the "
              f"scan's rules and writes could reach (bench/rules_app.py)")


def report(r: dict) -> None:
    target_rps, target_p99 = (1200, 40) if r["kind"] == "sqlite" else (800, 50)
    ok = r["rps"] >= target_rps and r["p99"] <= target_p99 and r["errors"] == 0
    verdict = "" if r.get("rules_only") else f"  target >= {target_rps} req/s, p99 <= {target_p99} ms: {'OK' if ok else 'MISSED'}"
    # Requests still in flight when wrk stops are committed but not counted by wrk: at most one per connection.
    consistent = r["rows"] == r["pieces"] == r["progress"] and 0 <= r["rows"] - r["created"] <= 32
    label = "rules only" if r.get("rules_only") else "scan POST "
    print(f"{label} {r['kind']:<10} {r['workers']}x{r['threads']}  {r['rps']:8.0f} req/s  p50 {r['p50']:5.1f} ms  "
          f"p90 {r['p90']:5.1f} ms  server CPU {r['cpu_us']:.0f} us/req  p99 {r['p99']:5.1f} ms  max {r['max']:5.0f} ms  errors {r['errors']} (socket: {r['socket_errors']}){verdict}")
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
    ap.add_argument("--no-ceiling", dest="ceiling", action="store_false",
                    help="skip the ceilings measured after each database's run: the scan's rules alone "
                         "(bench/rules_app.py) and the bare stack (bench/bare_app.py)")
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
    kinds = ([] if a.only_postgres else [("sqlite", None)]) + ([("postgresql", a.postgres)] if a.postgres else [])
    for kind, pg in kinds:
        r = run(kind, pg, a.port, a.workers, a.threads, a.seconds, a.bundles, a.pg_database)
        show(r)
        if a.ceiling and not a.code:
            rules = run(kind, pg, a.port, r["workers"], 1, a.seconds, a.bundles, a.pg_database, rules_only=True)
            show(rules)
            bare = run_bare(kind, pg, a.port, r["workers"], a.seconds, a.pg_database)
            print(json.dumps(bare), flush=True) if a.json else report_ceiling(r, bare, rules)


if __name__ == "__main__":
    main()
