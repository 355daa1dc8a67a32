"""Writing bench/history_gen.py's year: the plan as helper tables, the ledger a day per statement (on
PostgreSQL without its secondary indexes and foreign-key triggers, rebuilt after), what the floor derives from it
(bench/history_sql.py), stoppages and the orders' lifecycle."""
from __future__ import annotations

import os
import random
import time
from datetime import date, datetime, time as dtime, timedelta

import history_sql as hs
from history_plan import REASONS, SHIFT_START, STYLES, LinePlan, status_of

def fill_plan(conn, plans: list[LinePlan], ids: dict, days: list[date], rows_per_day: int) -> None:
    """The plan as helper tables (bench/history_sql.py), read by the day's statements."""
    from sqlalchemy import select, text

    from shopfloor.models import DefectType, Operation

    hs.meta.drop_all(conn)
    hs.meta.create_all(conn)
    conn.execute(hs.DAYS.insert(), [{"di": i, "day": d, "start_utc": datetime.combine(d, SHIFT_START)}
                                    for i, d in enumerate(days)])
    conn.execute(hs.LINES.insert(), [{"line_id": lid, "s": lp.operators, "lag": lp.lag}
                                     for lp, lid in zip(plans, ids["lines"])])
    conn.execute(hs.SLOTS.insert(), [{"line_id": lid, "slot": j, "operator_id": u} for lid, j, u in ids["slots"]])
    ops = conn.execute(select(Operation.style_id, Operation.seq, Operation.id, Operation.sam, Operation.piece_rate.label("rate"))
                       .order_by(Operation.style_id, Operation.seq)).all()
    per_style: dict[int, int] = {}
    for r in ops:
        per_style[r.style_id] = per_style.get(r.style_id, 0) + 1
    conn.execute(hs.OPS.insert(), [{"style_id": r.style_id, "k": r.seq - 1, "operation_id": r.id,
                                    "nk": per_style[r.style_id], "sam": r.sam, "rate_e4": int(r.rate * 10000),
                                    "is_output": r.seq == per_style[r.style_id]} for r in ops])
    conn.execute(hs.NUMS.insert(), [{"n": i} for i in range(41)])
    defects = conn.execute(select(DefectType.id).order_by(DefectType.id)).scalars().all()
    conn.execute(hs.DEFECTS.insert(), [{"n": i, "defect_type_id": d} for i, d in enumerate(defects)])
    conn.execute(hs.PLAN.insert(), [{"di": di, "line_id": lid, "first_seq": f, "last_seq": l}
                                    for lp, lid in zip(plans, ids["lines"]) for di, (f, l) in enumerate(lp.days)])
    bundles = {}
    for order_id, bid, pieces in conn.execute(text("SELECT order_id, id, pieces FROM bundles ORDER BY order_id, number")):
        bundles.setdefault(order_id, []).append((bid, pieces))
    rows, rng = [], random.Random(11)
    for lp, lid in zip(plans, ids["lines"]):
        # taps per bundle-operation so that an operator logs about rows_per_day rows a day
        per_day = (lp.days[-1][1] + 1) / len(days)
        for o in (o for o in lp.orders if o.cut):
            taps = max(1.0, rows_per_day * lp.operators / (STYLES[o.style][3] * per_day))
            for seq, (bid, pieces) in enumerate(bundles[o.id], start=o.first_seq):
                x = max(1.0, pieces / taps)
                chunk = int(x) + (1 if rng.random() < x - int(x) else 0)
                rows.append({"line_id": lid, "seq": seq, "bundle_id": bid, "order_id": o.id,
                             "style_id": ids["styles"][o.style], "pieces": pieces, "chunk": chunk})
    conn.execute(hs.SEQ.insert(), rows)
    conn.execute(text("ANALYZE"))   # the planner's statistics of the plan and of the bundles just cut


def write_history(plans: list[LinePlan], ids: dict, days: list[date], rows_per_day: int) -> int:
    """The ledger a working day per statement, then what the floor derives from it."""
    from sqlalchemy import text

    from shopfloor.extensions import db

    d = hs.Dialect(db.engine.dialect.name)
    with db.engine.begin() as conn:
        fill_plan(conn, plans, ids, days, rows_per_day)
    dropped = _drop_indexes(d)
    ledger, t0, total = hs.work_log(d), time.perf_counter(), 0
    for di, day in enumerate(days):
        with db.engine.begin() as conn:
            _load_mode(conn, d)
            total += conn.execute(ledger, {"di": di}).rowcount
        if di % 20 == 0 or di == len(days) - 1:
            _checkpoint(d)
            print(f"  {day} ({di + 1}/{len(days)}): {total:,} work-log rows, {time.perf_counter() - t0:.0f} s", flush=True)
    _restore_indexes(d, dropped)
    print(f"  indexes: {time.perf_counter() - t0:.0f} s", flush=True)
    ndefects = len(_rows(db, "SELECT id FROM defect_types"))
    db.session.rollback()
    for s in hs.summaries(d) + [hs.attendance(d)] + hs.inspections(d):
        with db.engine.begin() as conn:
            _load_mode(conn, d)
            t = time.perf_counter()
            n = conn.execute(s, {k: v for k, v in {"qc": ids["staff"]["qc"], "ndefects": ndefects}.items()
                                 if f":{k}" in str(s)}).rowcount
        print(f"  {str(s).split()[2]}: {n:,} rows, {time.perf_counter() - t:.0f} s", flush=True)
    return total


def _checkpoint(d: hs.Dialect) -> None:
    """SQLite: the WAL copied into the file and emptied (the app leaves checkpoints to its server's thread, so
    without this the WAL grew to 24 GB over the year)."""
    from shopfloor.extensions import db

    if not d.pg:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _load_mode(conn, d: hs.Dialect) -> None:
    """PostgreSQL: no foreign-key triggers for rows made consistent by construction, memory for the sorts."""
    from sqlalchemy import text

    if d.pg:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SET LOCAL work_mem = '512MB'"))


def _rows(db, sql: str) -> list:
    from sqlalchemy import text

    return db.session.execute(text(sql)).all()


def _drop_indexes(d: hs.Dialect) -> list[str]:
    """PostgreSQL: the ledger's secondary indexes (the unique client id's among them) are built after the load,
    once, instead of row by row; SQLite keeps them (its unique constraint cannot be dropped)."""
    from sqlalchemy import text

    from shopfloor.extensions import db

    if not d.pg:
        return []
    with db.engine.begin() as conn:
        cons = conn.execute(text("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                                    WHERE conrelid = 'work_log'::regclass AND contype = 'u'""")).all()
        for name, _def in cons:
            conn.execute(text(f'ALTER TABLE work_log DROP CONSTRAINT "{name}"'))
        idx = conn.execute(text("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'work_log'
                                   AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'work_log'::regclass)""")).all()
        for name, _def in idx:
            conn.execute(text(f'DROP INDEX "{name}"'))
    return ([f'ALTER TABLE work_log ADD CONSTRAINT "{name}" {definition}' for name, definition in cons]
            + [definition for _name, definition in idx])


def _restore_indexes(d: hs.Dialect, statements: list[str]) -> None:
    from sqlalchemy import text

    from shopfloor.extensions import db

    for s in statements:
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL maintenance_work_mem = '2GB'"))
            conn.execute(text(s))


def stoppages(rng, ids: dict, days: list[date]) -> int:
    """About one stop in three line-days: a line stop or an operator's, 10-50 minutes, closed."""
    from shopfloor.extensions import db
    from shopfloor.models import Stoppage

    sup, rows = ids["staff"]["supervisor"], []
    operators = {}
    for lid, _j, u in ids["slots"]:
        operators.setdefault(lid, []).append(u)
    for day in days:
        for lid in ids["lines"]:
            if rng.random() > 0.35:
                continue
            start = datetime.combine(day, dtime(9)) + timedelta(minutes=rng.randint(0, 360))
            end = start + timedelta(minutes=rng.randint(10, 50))
            line_stop = rng.random() < 0.3
            rows.append({"scope": "line" if line_stop else "operator", "line_id": lid,
                         "operator_id": None if line_stop else rng.choice(operators[lid]),
                         "reason": rng.choice(REASONS), "note": "", "status": "closed", "started_at": start,
                         "ended_at": end, "raised_by_id": sup, "raised_at": start, "acknowledged_by_id": sup,
                         "acknowledged_at": start + timedelta(minutes=3), "closed_by_id": sup})
    with db.engine.begin() as conn:
        conn.execute(Stoppage.__table__.insert(), rows)
    return len(rows)


def order_lifecycle(plans: list[LinePlan], ids: dict, days: list[date]) -> None:
    """Each order's status as its bundles went (sewing at its first piece, finishing when the last left the
    output operation, closed ten days on), with the history rows the rules would have written; its dates."""
    from sqlalchemy import text, update

    from shopfloor.extensions import db
    from shopfloor.models import Order
    from shopfloor.models.orders import OrderStatusChange

    end, manager = days[-1], ids["staff"]["manager"]
    changes = []
    with db.engine.begin() as conn:
        for lp in plans:
            for o in lp.orders:
                created = datetime.combine((o.started or end) - timedelta(days=21), dtime(9))
                status = status_of(o, end)
                conn.execute(update(Order.__table__).where(Order.id == o.id).values(status=status, created_at=created))
                conn.execute(text("UPDATE bundles SET created_at = :at WHERE order_id = :o"),
                             {"at": created + timedelta(days=7), "o": o.id})
                conn.execute(text("UPDATE order_status_changes SET at = :at WHERE order_id = :o"),
                             {"at": created, "o": o.id})
                if o.cut:
                    conn.execute(text("UPDATE milestones SET actual = :d, auto = :t WHERE order_id = :o AND key = 'cutting'"),
                                 {"d": (created + timedelta(days=7)).date(), "t": True, "o": o.id})
                cut_day = (created + timedelta(days=7)).date()
                steps = [("open", "cutting", "cut", cut_day if o.cut else None),
                         ("cutting", "sewing", "first_scan", o.started), ("sewing", "finishing", "output_done", o.finished)]
                if status == "closed":
                    steps += [("finishing", "closed", None, o.finished + timedelta(days=10))]
                for frm, to, rule, day in steps:
                    if day is not None:
                        changes.append({"order_id": o.id, "from_status": frm, "to_status": to, "rule": rule,
                                        "by_user_id": None if rule else manager, "reason": "",
                                        "at": datetime.combine(day, dtime(12))})
        conn.execute(OrderStatusChange.__table__.insert(), changes)
        # The time & action calendar of orders long done: every milestone closed on its planned day.
        conn.execute(text("UPDATE milestones SET actual = planned WHERE actual IS NULL AND order_id IN "
                          "(SELECT id FROM orders WHERE status = 'closed')"))


def finish(d_pg: bool) -> None:
    """Drop the plan; fresh planner statistics (and, on PostgreSQL, the visibility map autovacuum would set)."""
    from sqlalchemy import text

    from shopfloor.extensions import db

    with db.engine.begin() as conn:
        if not os.environ.get("HISTORY_TRACE"):
            hs.meta.drop_all(conn)
        # What quality/services.record_inspection sets with a bundle's first end-line inspection.
        conn.execute(text("UPDATE bundles SET endline_inspected = TRUE "
                          "WHERE id IN (SELECT bundle_id FROM inspections WHERE kind = 'endline')"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if d_pg else "ANALYZE"))
    _checkpoint(hs.Dialect("postgresql" if d_pg else "sqlite"))


def counts() -> dict:
    from sqlalchemy import text

    from shopfloor.extensions import db

    tables = ("work_log", "operator_day", "line_hour_output", "order_op_progress", "bundle_op_progress",
              "bundles", "orders", "users", "attendance", "inspections", "rework", "stoppages")
    return {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}


def size(url: str) -> int:
    from sqlalchemy import text

    from shopfloor.extensions import db

    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    return db.session.execute(text("SELECT pg_database_size(current_database())")).scalar()


