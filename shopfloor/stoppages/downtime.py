"""Downtime for the review: stop minutes by reason, line and day over a period, as Pareto rows, and the CSV.

A stop's minutes are its own clock minutes (an open stop runs until now), split over the factory-local days
it spans and clipped to the period; two stops at the same time both count (this is downtime per stop, not
per person: for a person's off-standard time see queries.off_standard_minutes)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.models import Line
from shopfloor.models.stoppages import Stoppage
from shopfloor.stoppages.queries import clipped, stop_intervals


@dataclass(frozen=True)
class ParetoRow:
    key: str
    label: str
    minutes: int
    cumulative_pct: float  # of the period's total, this row and every larger one before it


@dataclass
class Downtime:
    total: int = 0
    by_reason: list[ParetoRow] = field(default_factory=list)
    by_line: list[ParetoRow] = field(default_factory=list)
    by_day: list[tuple[date, int]] = field(default_factory=list)


def pareto(rows: list[tuple[str, str, int]]) -> list[ParetoRow]:
    """(key, label, minutes) sorted by minutes, largest first, with the running share of the total."""
    rows = sorted((r for r in rows if r[2] > 0), key=lambda r: (-r[2], r[1]))
    total, running, out = sum(r[2] for r in rows), 0, []
    for key, label, minutes in rows:
        running += minutes
        out.append(ParetoRow(key, label, minutes, running * 100.0 / total))
    return out


def _slices(start: date, end: date, line_id: int | None, now: datetime):
    """(stop, day, seconds) for every stop of the period, per factory-local day."""
    s, _e = clock.local_day_bounds_utc(start)
    _s, e = clock.local_day_bounds_utc(end)
    for stop in stop_intervals(s, e):
        if line_id is not None and stop.line_id != line_id:
            continue
        for d in clock.days(max(start, clock.to_local(stop.started_at).date()), end):
            lo, hi = clock.local_day_bounds_utc(d)
            if lo >= (stop.ended_at or now):
                break
            span = clipped(stop, lo, hi, now)
            if span is not None:
                yield stop, d, (span[1] - span[0]).total_seconds()


def downtime(start: date, end: date, line_id: int | None = None, now: datetime | None = None) -> Downtime:
    """Stop minutes of the period [start, end] (factory days) by reason, by line and by day. Minutes are
    whole, rounded down per row (the total is the sum of the reasons)."""
    now = now or clock.utcnow()
    reason_s: dict = {}
    line_s: dict[int, float] = {}
    day_s: dict[date, float] = {}
    for stop, d, seconds in _slices(start, end, line_id, now):
        reason_s[stop.reason] = reason_s.get(stop.reason, 0.0) + seconds
        line_s[stop.line_id] = line_s.get(stop.line_id, 0.0) + seconds
        day_s[d] = day_s.get(d, 0.0) + seconds
    codes = dict(db.session.execute(select(Line.id, Line.code)).all()) if line_s else {}
    by_reason = pareto([(r.value, r.label, int(sec // 60)) for r, sec in reason_s.items()])
    return Downtime(total=sum(r.minutes for r in by_reason), by_reason=by_reason,
                    by_line=pareto([(str(i), codes.get(i, "?"), int(sec // 60)) for i, sec in line_s.items()]),
                    by_day=sorted((d, int(sec // 60)) for d, sec in day_s.items()))


EXPORT_COLUMNS = ("stop", "line", "scope", "operator", "machine", "reason", "off_standard", "status", "started",
                  "ended", "minutes_in_period", "note")   # named in csv_columns.COLUMNS


def export_rows(start: date, end: date, line_id: int | None = None, now: datetime | None = None):
    """One CSV row per stop of the period (factory-local times), its minutes clipped to the period."""
    now = now or clock.utcnow()
    minutes: dict[int, float] = {}
    for stop, _d, seconds in _slices(start, end, line_id, now):
        minutes[stop.id] = minutes.get(stop.id, 0.0) + seconds
    if not minutes:
        return
    rows = db.session.scalars(select(Stoppage).where(Stoppage.id.in_(list(minutes)))
                              .options(selectinload(Stoppage.line), selectinload(Stoppage.operator))
                              .order_by(Stoppage.started_at, Stoppage.id))
    for s in rows:
        yield [s.id, s.line.code, s.scope.value, s.operator.name if s.operator else "", s.machine or "",
               s.reason.value, "yes" if s.reason.off_standard else "no", s.status.value, _local(s.started_at),
               _local(s.ended_at), int(minutes[s.id] // 60), s.note]


def _local(ts: datetime | None) -> str:
    return clock.to_local(ts).strftime("%Y-%m-%d %H:%M") if ts else ""
