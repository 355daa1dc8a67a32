"""Projected finish per order from the recent output rate, against the due date."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.vocabulary import ORDERS_ON_FLOOR, OrderStatus, add_working_days

WINDOW_DAYS = 3       # recent working days the rate is taken over
BUFFER_DAYS = 1       # finishing with less than this margin before the due date is "at risk"
LABELS = {"done": _l("Done"), "on_track": _l("On track"), "at_risk": _l("At risk"), "late": _l("Late"),
          "not_started": _l("Not started")}


@dataclass(frozen=True)
class Forecast:
    status: str
    finish: date | None
    rate_per_day: float
    remaining: int

    @property
    def label(self) -> str:
        return str(LABELS[self.status])


def project(*, quantity: int, output: int, rate_per_day: float, today: date, due: date) -> Forecast:
    """Pure rule: remaining / recent rate -> finish date -> on track, at risk or late."""
    remaining = max(0, quantity - output)
    if remaining == 0:
        return Forecast("done", today, rate_per_day, 0)
    if rate_per_day <= 0:
        status = "not_started" if output == 0 else "at_risk"
        if today > due:
            status = "late"
        return Forecast(status, None, 0.0, remaining)
    finish = add_working_days(today, math.ceil(remaining / rate_per_day) - 1) if remaining > rate_per_day \
        else today
    if finish > due:
        status = "late"
    elif (due - finish).days < BUFFER_DAYS:
        status = "at_risk"
    else:
        status = "on_track"
    return Forecast(status, finish, rate_per_day, remaining)


# Garments out: ledger rows that counted as output when written (work_log.is_output), read from the output
# entries' index by time (the last days only; CROSS JOIN makes SQLite start there, PostgreSQL still plans freely).
_RECENT = text("""
SELECT b.order_id, sum(w.pieces)
FROM work_log w CROSS JOIN bundles b CROSS JOIN orders o
WHERE w.is_output AND w.created_at >= :since AND b.id = w.bundle_id AND o.id = b.order_id
  AND o.status IN """ + OrderStatus.sql(ORDERS_ON_FLOOR) + """
GROUP BY b.order_id
""")


RATE_TTL_SECONDS = 60
_rate_cache: dict[str, tuple[float, date, dict]] = {}


def recent_output(today: date) -> dict[int, int]:
    """Pieces out of the line per active order over the last WINDOW_DAYS days.

    A rate over days moves slowly, so it is read at most once a minute per process; the board polls
    every few seconds and must stay cheap.
    """
    key = str(db.engine.url)
    hit = _rate_cache.get(key)
    now = time.monotonic()
    if hit and hit[1] == today and now - hit[0] < RATE_TTL_SECONDS:
        return hit[2]
    since, _ = clock.local_day_bounds_utc(today - timedelta(days=WINDOW_DAYS))
    recent = {oid: int(n or 0) for oid, n in db.session.execute(_RECENT, {"since": since}).all()}
    _rate_cache[key] = (now, today, recent)
    return recent


def order_forecasts(rows, *, fresh: bool = False) -> dict[int, Forecast]:
    """Forecasts for (order_id, quantity, output, due) rows, with the rate over the last WINDOW_DAYS."""
    today = clock.local_today()
    if fresh:
        _rate_cache.clear()
    recent = recent_output(today)
    return {oid: project(quantity=qty, output=out, rate_per_day=float(recent.get(oid, 0) or 0) / WINDOW_DAYS,
                         today=today, due=due) for oid, qty, out, due in rows}
