"""CPU cost of one scan, in process: record_scan called in a loop on a fresh floor, timed in CPU seconds
of this process (the app's Python) and of the PostgreSQL backends serving it (from /proc). Other load on a
shared machine stretches wall time; it hardly changes these. One JSON line per run (scan_compare.py runs it
for a baseline checkout and this one, alternating).

    .venv/bin/python bench/scan_cpu.py [--code ../baseline] [--postgres URL --pg-database bench_ledger]
"""
from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import tempfile
import time

import common


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            st = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


def run(kind: str, pg_url: str | None, pg_database: str | None, scans: int) -> dict:
    from sqlalchemy import text

    workdir = tempfile.mkdtemp(prefix="sf-cpu-")
    url = common.fresh_database(kind, workdir, pg_url, pg_database)
    try:
        app = common.make_app(url)
        logging.disable(logging.INFO)
        floor = common.build_floor(app, bundles=max(100, scans // 60 + 1))
        from shopfloor.extensions import db
        from shopfloor.scan import services

        def backends() -> float:
            if kind != "postgresql":
                return 0.0
            with app.app_context():
                pids = db.session.execute(text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars().all()
                db.session.remove()
            return sum(_proc_cpu(p) for p in pids)

        codes, ops, uid = floor["codes"], floor.get("all_operations", floor["operations"]), floor["operators"][0]

        # A checkout that asks before logging out of bulletin order is told "log anyway" (the check still runs).
        anyway = {"log_anyway": True} if "log_anyway" in inspect.signature(services.record_scan).parameters else {}

        def scan(i: int, op: int, tag: str) -> None:
            services.record_scan(operator_id=uid, bundle_ref=codes[i % len(codes)], operation_id=op, qty=1,
                                 client_id=f"{tag}{i}", check_operator_roles=("operator",), **anyway)

        def db_work() -> dict:
            """PostgreSQL's own counters for this database: buffers touched, rows read, commits. They count
            work, not time, so other load on the machine does not move them. The connections are closed
            first: a backend reports its counts when it ends."""
            if kind != "postgresql":
                return {}
            with app.app_context():
                db.engine.dispose()
                time.sleep(0.7)
                row = db.session.execute(text(
                    "SELECT blks_hit + blks_read AS buffers, tup_returned + tup_fetched AS rows_read, "
                    "xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()")).one()
                db.session.remove()
                db.engine.dispose()
            return dict(row._mapping)

        with app.test_request_context():
            for i in range(200):            # warm up: prepared statements, caches
                scan(i, ops[2], "w")
            w0 = db_work()
            b0, c0, t0 = backends(), time.process_time(), time.perf_counter()
            for i in range(scans):
                scan(i, ops[(i // len(codes)) % 2], "c")
            wall, cpu, db_cpu = time.perf_counter() - t0, time.process_time() - c0, backends() - b0
            w1 = db_work()
        with app.app_context():
            db.engine.dispose()
        work = {f"db_{k}_per_scan": round((w1[k] - w0[k]) / scans, 2) for k in w0}
        return {"kind": kind, "code": common.CODE, "scans": scans, "wall_us": wall * 1e6 / scans,
                "app_cpu_us": cpu * 1e6 / scans, "db_cpu_us": db_cpu * 1e6 / scans, **work}
    finally:
        common.drop_database(url)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code")
    ap.add_argument("--postgres")
    ap.add_argument("--pg-database")
    ap.add_argument("--scans", type=int, default=3000)
    a = ap.parse_args()
    if a.code:
        common.use_code(a.code)
    kind = "postgresql" if a.postgres else "sqlite"
    print(json.dumps(run(kind, a.postgres, a.pg_database, a.scans)), flush=True)


if __name__ == "__main__":
    main()
