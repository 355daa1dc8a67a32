"""The background worker's part in the figures (`flask worker`, shopfloor/worker.py): every closed day that has
attendance or logged work and is not kept under today's settings is worked out (attendance/figures.worked_out)
and kept (attendance/kept.py), newest first, a few days a turn. After an upgrade a year of history is kept within
minutes; afterwards each day once, when it closes, and again after a change forgot it. Pages only read: a day not
kept yet is worked out for the page, the same figures, slower."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from shopfloor import clock
from shopfloor.attendance import figures, kept
from shopfloor.extensions import db
from shopfloor.shifts import calendar

DAYS_A_TURN = 31

_WORKED_DAYS = text("""
SELECT day FROM (SELECT DISTINCT day FROM operator_day WHERE day < :today
                 UNION SELECT DISTINCT day FROM attendance WHERE day < :today) worked
WHERE NOT EXISTS (SELECT 1 FROM kept_figures_days k WHERE k.day = worked.day AND k.settings = :settings)
ORDER BY day DESC""")


def keep_closed_days(now_utc: datetime | None = None, limit: int = DAYS_A_TURN) -> int:
    """Keep up to `limit` closed days that are not kept; how many were kept. Each day is read in its own
    transaction after the generation (a change committed meanwhile leaves that day for the next turn)."""
    now_utc = now_utc or clock.utcnow()
    now_local = clock.to_local(now_utc).replace(tzinfo=None)
    days = [clock.as_date(d) for (d,) in db.session.execute(
        _WORKED_DAYS, {"today": now_local.date(), "settings": kept.settings()}).all()]
    db.session.rollback()
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

