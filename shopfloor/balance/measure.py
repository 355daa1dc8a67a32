"""Measured efficiency per operator and operation over the last working days, from the ledger.

    efficiency on an operation = earned minutes on it (sum of pieces x SAM, reversals included)
                                 / attended minutes on it                      (vocabulary.efficiency)

Attended minutes on an operation (`attended_minutes`): the operator's on-standard minutes of the day (attended
less approved off-standard stops: attendance/figures.operator_days, the same minutes as the board and pay)
shared out over the operations they worked that day in proportion to the time their scans show on each.

That share ("gap attribution"): an operator's scans of a factory day in time order; the minutes between a
scan and the one before it (for the day's first scan: since the shift's start, config SHIFT_START) went into
the operation of that scan. A gap is capped at max(GAP_FLOOR_MIN, GAP_FACTOR x the scan's standard minutes),
so a break or a late start does not tilt the share. Reversal rows add no minutes (their negative earned
minutes do count). A day with no attended minutes (no record, nothing logged) keeps the gap minutes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import bindparam, text

from shopfloor import clock
from shopfloor.attendance import figures
from shopfloor.extensions import db
from shopfloor.vocabulary import efficiency, is_working_day

DAYS = 10               # days measured: today and the 9 working days before it
MIN_MINUTES = 60        # fewer attended minutes than this on an operation: not measured (the level's figure is used)
GAP_FLOOR_MIN = 30
GAP_FACTOR = 3
CLAMP = (0.10, 1.50)    # a measured efficiency the planner uses is kept inside this range


@dataclass(frozen=True)
class Measured:
    earned: float       # minutes
    attended: float     # minutes (the stand-in above)

    @property
    def percent(self) -> float | None:
        """Efficiency % (vocabulary.efficiency); None when nothing was attended."""
        return efficiency(self.earned, self.attended)

    @property
    def usable(self) -> float | None:
        """The efficiency the line balance plans with (a fraction), or None below MIN_MINUTES."""
        if self.attended < MIN_MINUTES or self.percent is None:
            return None
        return min(CLAMP[1], max(CLAMP[0], self.percent / 100.0))


def window(today: date, days: int = DAYS) -> list[date]:
    """Today (worked or not: a Sunday of overtime counts) and the working days before it, `days` in all,
    oldest first."""
    out, d = [today], today - timedelta(days=1)
    while len(out) < days:
        if is_working_day(d):
            out.append(d)
        d -= timedelta(days=1)
    return out[::-1]


_ROWS = text("""
SELECT operator_id, operation_id, pieces, sam, created_at FROM work_log
WHERE operator_id IN :ids AND created_at >= :start AND created_at < :end
ORDER BY operator_id, created_at, id
""").bindparams(bindparam("ids", expanding=True))


def _rows(operator_ids: list[int], start: datetime, end: datetime):
    return db.session.execute(_ROWS, {"ids": list(operator_ids), "start": start, "end": end}).all()


def attended_minutes(rows, days: list[date]) -> dict[tuple[int, int], float]:
    """Minutes attended per (operator, operation) over `days`: each day's on-standard minutes of the operator
    shared out by the time their scans show on each operation (see the module's docstring)."""
    gaps = _gap_minutes(rows, days)
    if not gaps:
        return {}
    on_standard = {(f.operator_id, f.day): max(0.0, f.attended - f.off_standard)
                   for f in figures.operator_days(days[0], days[-1])}
    per_day: dict[tuple[int, date], float] = {}
    for (op_id, _operation, day), minutes in gaps.items():
        per_day[(op_id, day)] = per_day.get((op_id, day), 0.0) + minutes
    out: dict[tuple[int, int], float] = {}
    for (op_id, operation, day), minutes in gaps.items():
        total, attended = per_day[(op_id, day)], on_standard.get((op_id, day), 0.0)
        share = minutes * attended / total if attended > 0 and total > 0 else minutes
        out[(op_id, operation)] = out.get((op_id, operation), 0.0) + share
    return out


def _gap_minutes(rows, days: list[date]) -> dict[tuple[int, int, date], float]:
    """Minutes per (operator, operation, day) from the gaps between an operator's scans (module docstring)."""
    tz = clock.factory_tz()
    starts = {d: clock.shift_start_local(d).replace(tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)
              for d in days}
    out: dict[tuple[int, int, date], float] = {}
    last: tuple[int, date, datetime] | None = None
    for r in rows:
        m = r._mapping
        if m["pieces"] <= 0:
            continue
        at = m["created_at"] if isinstance(m["created_at"], datetime) else datetime.fromisoformat(str(m["created_at"]))
        day = clock.to_local(at).date()
        if last is not None and last[0] == m["operator_id"] and last[1] == day:
            since = last[2]
        else:
            since = starts.get(day, at)
        gap = max(0.0, (at - since).total_seconds() / 60.0)
        cap = max(GAP_FLOOR_MIN, GAP_FACTOR * m["pieces"] * float(m["sam"]))
        key = (m["operator_id"], m["operation_id"], day)
        out[key] = out.get(key, 0.0) + min(gap, cap)
        last = (m["operator_id"], day, max(at, since))
    return out


def by_operation(operator_ids: list[int], today: date | None = None,
                 days: int = DAYS) -> dict[tuple[int, int], Measured]:
    """Earned and attended minutes per (operator, operation) over the last `days` working days."""
    if not operator_ids:
        return {}
    span = window(today or clock.local_today(), days)
    start, end = clock.local_day_bounds_utc(span[0])[0], clock.local_day_bounds_utc(span[-1])[1]
    rows = _rows(operator_ids, start, end)
    earned: dict[tuple[int, int], float] = {}
    for r in rows:
        m = r._mapping
        key = (m["operator_id"], m["operation_id"])
        earned[key] = earned.get(key, 0.0) + m["pieces"] * float(m["sam"])
    attended = attended_minutes(rows, span)
    return {k: Measured(earned.get(k, 0.0), attended.get(k, 0.0)) for k in set(earned) | set(attended)}
