"""Years of history: a demo-sized factory's year of work, for bench/history_bench.py.

    .venv/bin/python bench/history_gen.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/shopfloor_history
    .venv/bin/python bench/history_gen.py --sqlite /tmp/shopfloor_history.db

The database named is dropped and made again. Default sizes: PostgreSQL 1,000 operators on 25 lines, 365 days
(73.7 M work-log rows measured, ~235 per operator and working day for --rows-per-day 220; 20 GB, ~24 min);
SQLite 100 operators on 2 lines, 365 days (7.3 M rows, 1.6 GB, ~7 min: a factory of the size that runs on one
SQLite file, over the same year; 1,000 operators would be a 16 GB file and over an hour of writing).

Master data comes from the app's services, as `flask seed-demo` makes it: lines with a shift (08:00-16:30, a paid
tea break, an unpaid lunch), six styles of 22-40 operations, operators at their operations, orders through
`create_order` (their time & action calendar), cut into bundles of 20-30 pieces as `cut_order` cuts them
(split_quantity, codes from scan/codes.new_code) but written in bulk (the service's per-bundle code check and
per-row counters took a quarter of an hour at 185,000 bundles; the counters come from the ledger). The history is
then written set-based (bench/history_load.py, history_sql.py), one working day (Monday to Saturday) per statement: the ledger,
the summaries the scan keeps with it (line_hour_output, operator_day, order_op_progress, bundle_op_progress),
attendance, end-line and inline checks with their defects and rework, stoppages. A bundle operation is never
credited more than the bundle holds; pay = pieces x the rate logged; orders move cutting -> sewing -> finishing ->
closed as their last bundle leaves the line. Taps are of 2-3 pieces (so ~220 rows per operator and day).
"""
from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, time as dtime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from common import ROOT, fresh_database, make_app
from history_load import counts, finish, order_lifecycle, size, stoppages, write_history
from history_plan import CUSTOMERS, OPERATIONS, SHIFT_START, STYLES, LinePlan, PlannedOrder, plan_lines, working_days


def master_data(rng, plans: list[LinePlan], style_sams: list[list[float]]) -> dict:
    """Lines, shifts, staff, styles, operators and orders (cut) through the app's services."""
    from shopfloor.auth.services import create_user, hash_secret
    from shopfloor.database import write_transaction
    from shopfloor.demo import DEMO_PASSWORD, DEMO_PIN, FIRST, LAST
    from shopfloor.extensions import db
    from shopfloor.models import Bundle, Line, Operation, Shift, ShiftBreak, Style
    from shopfloor.orders.services import create_order
    from flask import current_app

    wage = Decimal(str(current_app.config["WAGE_PER_MINUTE"]))
    pin = hash_secret(DEMO_PIN)
    with write_transaction():
        staff = {role: create_user(f"History {role}", role, username=f"h{role}", password=DEMO_PASSWORD)
                 for role in ("manager", "supervisor", "qc")}
        styles = []
        for (code, name, sizes, _k), sams in zip(STYLES, style_sams):
            style = Style(code=code, name=name, sizes_csv=sizes)
            style.operations = [Operation(seq=i + 1, name=OPERATIONS[i % len(OPERATIONS)] + ("" if i < len(OPERATIONS) else " 2"),
                                          machine="Overlock", sam=Decimal(str(sam)),
                                          piece_rate=(Decimal(str(sam)) * wage).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                                          qc_point=i == len(sams) - 1) for i, sam in enumerate(sams)]
            styles.append(style)
        lines = [Line(code=f"L{lp.index + 1:02d}", name=f"Line {lp.index + 1}", target_efficiency=Decimal("0.70"))
                 for lp in plans]
        db.session.add_all(styles + lines)
        db.session.flush()
        for line in lines:
            db.session.add(Shift(line_id=line.id, number=1, starts_at=SHIFT_START, ends_at=dtime(16, 30),
                                 breaks=[ShiftBreak(starts_at=dtime(10), minutes=15, paid=True),
                                         ShiftBreak(starts_at=dtime(12, 30), minutes=30, paid=False)]))
        slots, n = [], 0
        for lp, line in zip(plans, lines):
            current = next(o for o in lp.orders if not o.finished).style
            ops = styles[current].operations
            for j in range(lp.operators):
                n += 1
                u = create_user(f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n}", "operator",
                                badge_code=f"OP{n:04d}", line_id=line.id)
                u.pin_hash, u.assigned_operation_id = pin, ops[j % len(ops)].id
                slots.append((line.id, j, u))
        db.session.flush()
    codes, bundles = set(), []
    for lp, line in zip(plans, lines):
        with write_transaction():
            for o in lp.orders:
                order = create_order(number=o.number, customer=CUSTOMERS[(lp.index + int(o.number[-3:])) % len(CUSTOMERS)],
                                     style=styles[o.style], due_date=o.due, quantities=o.quantities, line_id=line.id)
                db.session.flush()
                o.id = order.id
                if o.cut:
                    bundles += _cut(o, codes)
    # Cut as orders/services.cut_order cuts (split_quantity per size x colour, in the order's cell order, codes
    # from scan/codes.new_code), written in bulk: the service's check of each code and its row-by-row
    # bundle_op_progress take a quarter of an hour at this size (the progress rows come from the ledger later).
    with db.engine.begin() as conn:
        for i in range(0, len(bundles), 20000):
            conn.execute(Bundle.__table__.insert(), bundles[i:i + 20000])
    return {"staff": {k: u.id for k, u in staff.items()}, "lines": [ln.id for ln in lines],
            "styles": [s.id for s in styles], "slots": [(lid, j, u.id) for lid, j, u in slots]}


def _cut(o: PlannedOrder, codes: set) -> list[dict]:
    from shopfloor.orders.services import split_quantity
    from shopfloor.scan.codes import new_code

    rows = []
    for (size, colour), qty in o.quantities.items():
        for pieces in split_quantity(qty, o.bundle_size):
            code = new_code()
            while code in codes:
                code = new_code()
            codes.add(code)
            rows.append({"code": code, "order_id": o.id, "number": len(rows) + 1, "size": size, "colour": colour,
                         "pieces": pieces, "status": "open"})
    return rows


def database_url(a) -> str:
    if a.sqlite:
        for p in (a.sqlite, a.sqlite + "-wal", a.sqlite + "-shm"):
            if os.path.exists(p):
                os.remove(p)
        return f"sqlite:///{os.path.abspath(a.sqlite)}"
    from sqlalchemy.engine import make_url

    u = make_url(a.postgres)
    return fresh_database("postgresql", "", u.set(database="postgres").render_as_string(hide_password=False),
                          name=u.database)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--postgres", help="database URL; the database is dropped and made again")
    where.add_argument("--sqlite", help="file path; replaced")
    ap.add_argument("--operators", type=int, help="default 1000 (PostgreSQL), 100 (SQLite)")
    ap.add_argument("--days", type=int, default=365, help="calendar days of history, ending on --end")
    ap.add_argument("--end", type=date.fromisoformat,
                    help="the history's last day (default: the last working day before today)")
    ap.add_argument("--rows-per-day", type=int, default=220, help="ledger rows per operator and working day")
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    operators = a.operators or (100 if a.sqlite else 1000)
    t0 = time.perf_counter()
    url = database_url(a)
    app = make_app(url)
    from flask_migrate import upgrade

    from shopfloor.quality.catalogue import ensure_default_catalogue
    from shopfloor.vocabulary import is_working_day

    rng = random.Random(a.seed)
    with app.app_context():
        if (app.config.get("FACTORY_TIMEZONE") or "UTC") != "UTC":
            raise SystemExit("history_gen writes factory time as UTC: unset SHOPFLOOR_TIMEZONE")
        end = a.end or date.today() - timedelta(days=1)
        while not is_working_day(end):
            end -= timedelta(days=1)
        days = working_days(end, a.days)
        upgrade(directory=os.path.join(ROOT, "migrations"))
        ensure_default_catalogue()
        style_sams = [[round(rng.uniform(0.3, 1.2), 2) for _ in range(k)] for *_s, k in STYLES]
        plans = plan_lines(rng, operators, days, style_sams)
        ids = master_data(rng, plans, style_sams)
        t1 = time.perf_counter()
        print(f"master data: {len(plans)} lines, {operators} operators, "
              f"{sum(len(lp.orders) for lp in plans)} orders, {sum(len(lp.bundles) for lp in plans):,} bundles "
              f"in {t1 - t0:.0f} s; {len(days)} working days {days[0]} .. {days[-1]}", flush=True)
        db_session_end()   # else SQLite's WAL cannot be emptied while the history is written (24 GB at day 313)
        rows = write_history(plans, ids, days, a.rows_per_day)
        stops = stoppages(rng, ids, days)
        order_lifecycle(plans, ids, days)
        t2 = time.perf_counter()
        finish(url.startswith("postgresql"))
        t3 = time.perf_counter()
        db_session_end()
        n = counts()
        print(f"history: {rows:,} work-log rows, {stops:,} stoppages in {t2 - t1:.0f} s; vacuum/analyze {t3 - t2:.0f} s")
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in n.items()))
        print(f"total {time.perf_counter() - t0:.0f} s; database {size(url) / 2**30:.2f} GiB: {url}")
        db_dispose()


def db_session_end() -> None:
    """The ORM session's read snapshot (SQLite keeps it open, and no checkpoint can empty the WAL past it): let it
    go."""
    from shopfloor.extensions import db

    db.session.rollback()


def db_dispose() -> None:
    from shopfloor.extensions import db

    db.engine.dispose()


if __name__ == "__main__":
    main()

