"""The background worker's part in the figures (`flask worker`, shopfloor/worker.py): every closed day since the
first day with attendance or logged work that is not kept under today's settings is worked out
(attendance/figures.worked_out) and kept (attendance/kept.py), newest first, a few days a turn; a day nobody worked
(a Sunday) is kept empty, so that a page reads it as such instead of working it out. After an upgrade a year of
history is kept within a minute (312 days of 1,000 operators on PostgreSQL: 25 s); afterwards each day once, when it
closes, and again after a change forgot it. Pages only read: a day not kept yet is worked out for the page, the
same figures, slower."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text

from shopfloor import clock
from shopfloor.attendance import figures, kept
from shopfloor.extensions import db
from shopfloor.shifts import calendar

DAYS_A_TURN = 31

_FIRST_DAY = text("SELECT min(day) FROM (SELECT min(day) AS day FROM operator_day "
                  "UNION ALL SELECT min(day) FROM attendance) firsts")
_KEPT = text("SELECT day FROM kept_figures_days WHERE settings = :settings")


def keep_closed_days(now_utc: datetime | None = None, limit: int = DAYS_A_TURN) -> int:
    """Keep up to `limit` closed days that are not kept; how many were kept. Each day is read in its own
    transaction after the generation (a change committed meanwhile leaves that day for the next turn)."""
    now_utc = now_utc or clock.utcnow()
    now_local = clock.to_local(now_utc).replace(tzinfo=None)
    first = clock.as_date(db.session.execute(_FIRST_DAY).scalar())
    done_already = {clock.as_date(d) for (d,) in db.session.execute(_KEPT, {"settings": kept.settings()})}
    db.session.rollback()
    if first is None:
        return 0
    days = [d for d in reversed(clock.days(first, now_local.date() - timedelta(days=1))) if d not in done_already]
    done = 0
    for day in days:
        if done >= limit:
            break
        seen = kept.generation()
        if kept.closed(calendar.load(day, day), day, now_local):
            rows = figures.worked_out(day, day, now_utc=now_utc)
            done += kept.keep(seen, {day: rows})
        db.session.rollback()
    return done

