"""PostgreSQL's own CPU per statement of a scan, against the bare stack's one INSERT.

One connection, one statement after another (no concurrency), on the bench floor (common.build_floor): the CPU
time of the backend serving it, read from /proc, divided by the statements run. With nothing else waiting on the
connection this figure repeats within a few percent even on this shared machine, where throughput benches move
by a third.

    a round trip         SELECT 1: what one statement costs the backend before its work (a scan makes two)
    bare INSERT          bench/bare_app.py's statement: one conditional INSERT into a one-index table
    scan read            statements.FIND: bundle, order, style, operation, counter, earlier entry, operator, session
    scan write           statements.PG_WRITE_EXISTING: the counter, the ledger row and three summaries, one statement
and what two levers would save, each on a copy of the floor's schema changed for the measurement only:
    write, no summaries  the counter and the ledger row alone (the three summaries written elsewhere)
    write, no foreign keys   the same write with the five tables' foreign keys dropped

Each is measured in --rounds rounds, alternating, --statements each (after 100 uncounted); the medians print.

    .venv/bin/python bench/scan_sql_cpu.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import tempfile

import common

WRITTEN = ("work_log", "bundle_op_progress", "line_hour_output", "order_op_progress", "operator_day")
BARE_TABLE = ("CREATE TABLE bare_scans (client_id VARCHAR(64) PRIMARY KEY, bundle VARCHAR(64), operation INTEGER, "
              "qty INTEGER)")
BARE_INSERT = ("INSERT INTO bare_scans (client_id, bundle, operation, qty) VALUES (%s, %s, %s, %s) "
               "ON CONFLICT (client_id) DO NOTHING")


def _backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        st = fh.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


def _floor(pg_url: str, workdir: str, drop_foreign_keys: bool, bundles: int):
    """A fresh database with the bench floor; (url, connection, floor, bundle ids by code)."""
    import psycopg

    url = common.fresh_database("postgresql", workdir, pg_url)
    app = common.make_app(url)
    floor = common.build_floor(app, bundles=bundles)
    from shopfloor.extensions import db

    with app.app_context():
        db.engine.dispose()
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    conn.execute("SET jit = off")   # as the app's connections (shopfloor/database.py)
    conn.execute(BARE_TABLE)
    if drop_foreign_keys:
        for table in WRITTEN:
            for (name,) in conn.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
                                        "AND contype = 'f'", (table,)).fetchall():
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    bundles = {code: conn.execute("SELECT b.id, b.order_id, o.line_id FROM bundles b JOIN orders o "
                                  "ON o.id = b.order_id WHERE b.code = %s", (code,)).fetchone()
               for code in floor["codes"]}
    return url, conn, floor, bundles, app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", required=True, help="PostgreSQL server URL; fresh databases are made and dropped")
    ap.add_argument("--statements", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    logging.disable(logging.INFO)

    from shopfloor import clock
    from shopfloor.scan import ledger
    from shopfloor.scan.statements import FIND, PG_WRITE_EXISTING, PROGRESS_EXISTING_RETURNING, pg_write

    no_summaries = pg_write(PROGRESS_EXISTING_RETURNING, summaries=())
    workdir = tempfile.mkdtemp(prefix="sf-sqlcpu-")
    floors = {}
    try:
        # Enough pieces for every write of both write rows on one floor (bundles of 40 pieces).
        bundles = (a.statements + 100) * a.rounds * 2 // 40 + 20
        floors["keys"] = _floor(a.postgres, workdir, drop_foreign_keys=False, bundles=bundles)
        floors["no keys"] = _floor(a.postgres, workdir, drop_foreign_keys=True, bundles=bundles)
        serial = [0]
        turn = {"keys": 0, "no keys": 0}   # round the floor's bundles evenly, across rows and rounds

        def measure(floor_name: str, kind: str) -> float:
            _url, conn, floor, bundles, app = floors[floor_name]
            codes, op, user = floor["codes"], floor["operations"][0], floor["operators"][0]

            def one(i: int) -> None:
                writes = kind in ("write", "no summaries")
                turn[floor_name] += writes
                code = codes[(turn[floor_name] if writes else i) % len(codes)]
                cid = f"s{serial[0]}-{i}"
                if kind == "round trip":
                    conn.execute("SELECT 1").fetchone()
                elif kind == "bare":
                    conn.execute(BARE_INSERT, (cid, code, op, 1))
                elif kind == "read":
                    conn.execute(FIND.pg, {"code": code, "op": op, "cid": cid, "u": user, "sid": None}).fetchone()
                else:
                    b, order, line = bundles[code]
                    now = clock.utcnow()
                    entry = ledger.Entry(bundle_id=b, order_id=order, operation_id=op, operator_id=user, line_id=line,
                                         pieces=1, sam=0.5, rate_e4=250, is_output=False, at=now, bucket_at=now,
                                         created_by=user, client_id=cid)
                    with app.app_context():   # the floor's time zone, for the summaries' day and hour
                        params = entry.params()
                    stmt = no_summaries if kind == "no summaries" else PG_WRITE_EXISTING
                    if conn.execute(stmt.pg, params).fetchone()[1] is None:
                        raise SystemExit("the floor ran out of pieces")

            serial[0] += 1
            for i in range(100):
                one(i)
            serial[0] += 1
            pid = conn.info.backend_pid
            before = _backend_cpu(pid)
            for i in range(a.statements):
                one(i)
            return (_backend_cpu(pid) - before) * 1e6 / a.statements

        rows = [("bare INSERT (the bare stack's)", "keys", "bare"), ("scan read (FIND)", "keys", "read"),
                ("scan write (counter, ledger row, 3 summaries)", "keys", "write"),
                ("lever: write without the summaries", "keys", "no summaries"),
                ("lever: write without foreign keys", "no keys", "write"),
                ("a round trip alone (SELECT 1)", "keys", "round trip")]
        found: dict[str, list[float]] = {label: [] for label, _f, _k in rows}
        for _ in range(a.rounds):
            for label, floor_name, kind in rows:
                found[label].append(measure(floor_name, kind))
        med = {label: statistics.median(v) for label, v in found.items()}
        bare = med[rows[0][0]]
        print(f"PostgreSQL backend CPU per statement (serial, one connection; median of {a.rounds} rounds of "
              f"{a.statements}; /proc ticks of 10 ms)")
        for label, values in found.items():
            print(f"  {label:<48} {med[label]:6.0f} us  {med[label] / bare:4.1f} x bare   "
                  f"rounds {', '.join(f'{v:.0f}' for v in values)}")
        scan = med[rows[1][0]] + med[rows[2][0]]
        print(f"  a scan (read + write)                            {scan:6.0f} us  {scan / bare:4.1f} x bare")
    finally:
        for url, conn, *_ in floors.values():
            conn.close()
            common.drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
