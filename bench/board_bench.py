"""Board data at 1M work-log rows: the board's query (from summary tables) vs a GROUP BY over the ledger.

Target: <= 10 ms for all lines and orders.

    .venv/bin/python bench/board_bench.py [--rows 1000000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

from common import board_data, drop_database, fresh_database, make_app

DAYS = 60


def populate(app, rows: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from common import ROOT
    from shopfloor.auth.services import create_user
    from shopfloor.extensions import db
    from shopfloor.models import Line, Operation, Style
    from shopfloor.orders.services import create_order, cut_order

    with app.app_context():
        upgrade(directory=f"{ROOT}/migrations")
        lines = [Line(code=f"L{i}", name=f"Line {i}", target_efficiency=Decimal("0.7")) for i in (1, 2)]
        style = Style(code="TS", name="T-shirt", sizes_csv="M")
        style.operations = [Operation(seq=i + 1, name=f"Op {i + 1}", machine="Overlock", sam=Decimal("0.5"),
                                      piece_rate=Decimal("0.025")) for i in range(9)]
        db.session.add_all(lines + [style])
        db.session.flush()
        for i in range(30):
            create_user(f"Operator {i}", "operator", line_id=lines[i % 2].id)
        for n in range(100):
            o = create_order(number=f"O{n:03d}", customer="C", style=style,
                             due_date=date.today() + timedelta(days=n - 90), quantities={("M", "Blue"): 1000},
                             line_id=lines[n % 2].id)
            cut_order(o, 10)
            o.status = "shipped" if n < 97 else "sewing"
        db.session.commit()
        pg = db.engine.dialect.name == "postgresql"
        ops = [op.id for op in style.operations]
        # rows: every bundle x operation gets 1-piece scans spread over the last DAYS days, 08:00-16:00.
        gen = ("SELECT g AS x FROM generate_series(0, :n - 1) g" if pg else
               "WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s WHERE x < :n - 1) SELECT x FROM s")
        ts = ("(now() at time zone 'utc') - make_interval(days => (x % :days)) "
              "- make_interval(secs => ((CAST(x AS BIGINT) * 7919) % 28800))" if pg else
              "datetime('now', '-' || (x % :days) || ' days', '-' || ((x * 7919) % 28800) || ' seconds')")
        with db.engine.begin() as conn:
            conn.execute(text(f"""
                INSERT INTO work_log (bundle_id, operation_id, operator_id, line_id, pieces, sam, piece_rate_e4,
                                      is_output, client_id, created_at)
                SELECT b.id, {ops[0]} + ((x / 10) % 9), u.id, u.line_id, 1, 0.5, 250, (x / 10) % 9 = 8, NULL, {ts}
                FROM ({gen}) s
                JOIN bundles b ON b.id = 1 + ((x / 90) % 10000)
                JOIN users u ON u.id = 1 + (x % 30)
            """), {"n": rows, "days": DAYS})
            day = "CAST(created_at AS DATE)" if pg else "date(created_at)"
            hour = "CAST(extract(hour FROM created_at) AS INTEGER)" if pg else "CAST(strftime('%H', created_at) AS INTEGER)"
            conn.execute(text("DELETE FROM bundle_op_progress"))
            conn.execute(text("""INSERT INTO bundle_op_progress (bundle_id, operation_id, pieces, done)
                SELECT b.id, op.id, b.pieces, LEAST_DONE FROM bundles b CROSS JOIN operations op
                LEFT JOIN (SELECT bundle_id, operation_id, sum(pieces) AS d FROM work_log
                           GROUP BY bundle_id, operation_id) w ON w.bundle_id = b.id AND w.operation_id = op.id
            """.replace("LEAST_DONE", "least(coalesce(w.d, 0), b.pieces)" if pg else "min(coalesce(w.d, 0), b.pieces)")))
            conn.execute(text(f"""INSERT INTO line_hour_output (line_id, day, hour, pieces, output, earned_minutes)
                SELECT line_id, {day}, {hour}, sum(pieces),
                       sum(CASE WHEN operation_id = {ops[-1]} THEN pieces ELSE 0 END), sum(pieces * sam)
                FROM work_log GROUP BY line_id, {day}, {hour}"""))
            conn.execute(text("""INSERT INTO order_op_progress (order_id, operation_id, done)
                SELECT b.order_id, w.operation_id, sum(w.pieces) FROM work_log w JOIN bundles b ON b.id = w.bundle_id
                GROUP BY b.order_id, w.operation_id"""))
            conn.execute(text(f"""INSERT INTO operator_day (operator_id, day, line_id, pieces, earned_minutes, earnings_e4)
                SELECT operator_id, {day}, max(line_id), sum(pieces), sum(pieces * sam), sum(pieces * piece_rate_e4)
                FROM work_log GROUP BY operator_id, {day}"""))
            conn.execute(text("ANALYZE"))


NAIVE = """
SELECT w.line_id, sum(w.pieces), sum(w.pieces * w.sam), count(DISTINCT w.operator_id)
FROM work_log w WHERE w.created_at >= :start GROUP BY w.line_id
"""
NAIVE_ORDERS = """
SELECT b.order_id, sum(w.pieces) FROM work_log w JOIN bundles b ON b.id = w.bundle_id
WHERE w.operation_id = :last GROUP BY b.order_id
"""


def timeit(fn, n: int = 30) -> float:
    fn()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def polls(app) -> tuple[float, float, int, int]:
    """The live route as the TV polls it: unchanged (its version sent back: 304, the board not built) and
    changed (no version: the whole board rendered). Medians in ms, and the body sizes."""
    app.config["BOARD_TOKEN"] = "bench-board-token"
    client = app.test_client()
    url = "/board/live?token=bench-board-token"
    tag = [client.get(url).headers["HX-PTag"]]
    sizes = {}

    def unchanged():
        r = client.get(url, headers={"HX-PTag": tag[0]})
        if r.status_code != 304:          # the minute turned: the board's version with it
            tag[0] = r.headers["HX-PTag"]
        else:
            sizes[304] = len(r.data)

    def changed():
        sizes[200] = len(client.get(url).data)

    return timeit(unchanged, n=200), timeit(changed), sizes.get(304, -1), sizes[200]


def run(kind: str, rows: int, pg_url: str | None) -> None:
    workdir = tempfile.mkdtemp(prefix="sf-board-")
    url = fresh_database(kind, workdir, pg_url)
    try:
        app = make_app(url)
        t0 = time.perf_counter()
        populate(app, rows)
        built = time.perf_counter() - t0
        from sqlalchemy import text

        from shopfloor import clock
        from shopfloor.board import queries
        from shopfloor.extensions import db

        with app.app_context():
            n = db.session.execute(text("SELECT count(*) FROM work_log")).scalar()
            board = board_data()
            ms = timeit(board_data)
            version_ms = timeit(lambda: (queries.version(), db.session.rollback()), n=200)
            poll_ms, full_ms, poll_bytes, full_bytes = polls(app)
            start, _ = clock.local_day_bounds_utc(clock.local_today())
            last = db.session.execute(text("SELECT max(id) FROM operations")).scalar()
            naive = timeit(lambda: (db.session.execute(text(NAIVE), {"start": start}).all(),
                                    db.session.execute(text(NAIVE_ORDERS), {"last": last}).all(),
                                    db.session.rollback()), n=5)
            db.engine.dispose()
        print(f"board data {kind:<10} {n:,} work-log rows ({built:.0f} s to build): board data {ms:.2f} ms "
              f"for {len(board.lines)} lines + {len(board.orders)} orders (incl. forecast and quality) (target <= 10 ms: "
              f"{'OK' if ms <= 10 else 'MISSED'}); GROUP BY over the ledger {naive:.0f} ms")
        print(f"board poll {kind:<10} version {version_ms:.2f} ms; unchanged (304): {poll_ms:.2f} ms, {poll_bytes} body bytes; "
              f"changed (200, whole board): {full_ms:.2f} ms, {full_bytes:,} body bytes (in-process, no network)")
    finally:
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--postgres")
    ap.add_argument("--only-postgres", action="store_true")
    a = ap.parse_args()
    if not a.only_postgres:
        run("sqlite", a.rows, None)
    if a.postgres:
        run("postgresql", a.rows, a.postgres)


if __name__ == "__main__":
    main()
