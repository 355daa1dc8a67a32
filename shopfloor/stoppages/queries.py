"""Reads of stoppages: the stops page, the board, and the intervals the efficiency and pay figures need."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.models import Role, User
from shopfloor.models.stoppages import Stoppage
from shopfloor.vocabulary import STOPS_ACTIVE, StopReason, StopScope, StopStatus

# How long after raising a stop its raiser may undo it as raised by mistake (services.cancel).
CANCEL_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True)
class StopInterval:
    """One stop as a span of time (naive UTC; ended_at None while it is not closed)."""
    id: int
    scope: StopScope
    line_id: int
    operator_id: int | None
    machine: str | None
    reason: StopReason
    off_standard: bool  # its reason is approved off-standard time (vocabulary.OFF_STANDARD_REASONS)
    started_at: datetime
    ended_at: datetime | None


def stop_intervals(start_utc: datetime, end_utc: datetime) -> list[StopInterval]:
    """Every stop overlapping [start_utc, end_utc) (naive UTC), open ones included, ordered by start; a stop
    cancelled as raised by mistake is none (no downtime, no off-standard time, not in the export)."""
    rows = db.session.execute(
        select(Stoppage.id, Stoppage.scope, Stoppage.line_id, Stoppage.operator_id, Stoppage.machine,
               Stoppage.reason, Stoppage.started_at, Stoppage.ended_at)
        .where(Stoppage.started_at < end_utc, or_(Stoppage.ended_at.is_(None), Stoppage.ended_at > start_utc),
               Stoppage.status != StopStatus.CANCELLED)
        .order_by(Stoppage.started_at, Stoppage.id))
    return [StopInterval(id=r.id, scope=r.scope, line_id=r.line_id, operator_id=r.operator_id, machine=r.machine,
                         reason=r.reason, off_standard=r.reason.off_standard, started_at=r.started_at,
                         ended_at=r.ended_at) for r in rows]


def clipped(stop: StopInterval, start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime] | None:
    """The part of a stop inside [start, end), an open stop running until now; None when nothing is left."""
    lo, hi = max(stop.started_at, start), min(stop.ended_at or now, end)
    return (lo, hi) if hi > lo else None


def merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Spans of time with the overlapping ones joined (a minute two stops share counts once)."""
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _union_seconds(spans: list[tuple[datetime, datetime]]) -> float:
    return sum((hi - lo).total_seconds() for lo, hi in merged(spans))


def off_standard_minutes(day: date, now: datetime | None = None) -> dict[int, int]:
    """Approved off-standard minutes per operator id on a factory-local day.

    An operator's stop counts for that operator; a line stop for every active operator of that line
    (users.line_id as it is now). A machine stop names no operator and counts for nobody. Only reasons that
    are off-standard (vocabulary.OFF_STANDARD_REASONS). Each stop is clipped to the day, an open one to now;
    stops of one operator that overlap count once. Whole minutes, rounded down."""
    now = now or clock.utcnow()
    start, end = clock.local_day_bounds_utc(day)
    spans: dict[int, list[tuple[datetime, datetime]]] = {}
    line_members: dict[int, list[int]] | None = None
    for stop in stop_intervals(start, end):
        span = clipped(stop, start, end, now) if stop.off_standard else None
        if span is None:
            continue
        if stop.scope == StopScope.OPERATOR and stop.operator_id is not None:
            spans.setdefault(stop.operator_id, []).append(span)
        elif stop.scope == StopScope.LINE:
            if line_members is None:
                line_members = _operators_by_line()
            for operator_id in line_members.get(stop.line_id, []):
                spans.setdefault(operator_id, []).append(span)
    return {operator_id: int(_union_seconds(s) // 60) for operator_id, s in spans.items()}


def _operators_by_line() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for uid, line_id in db.session.execute(select(User.id, User.line_id).where(
            User.role == Role.OPERATOR.value, User.active, User.line_id.is_not(None))):
        out.setdefault(line_id, []).append(uid)
    return out


def elapsed_minutes(started_at: datetime, now: datetime) -> int:
    return max(0, int((now - started_at).total_seconds() // 60))


def active_stops(line_id: int | None = None) -> list[Stoppage]:
    """Stops not closed yet, oldest first (the supervisor's list)."""
    q = (select(Stoppage).where(Stoppage.status.in_(STOPS_ACTIVE))
         .options(selectinload(Stoppage.line), selectinload(Stoppage.operator),
                  selectinload(Stoppage.acknowledged_by))
         .order_by(Stoppage.started_at, Stoppage.id))
    if line_id is not None:
        q = q.where(Stoppage.line_id == line_id)
    return list(db.session.scalars(q))


def may_cancel(stop: Stoppage, user_id: int, now: datetime) -> bool:
    """Whether the user may still undo the stop as raised by mistake (services.cancel says why not)."""
    return (stop.status == StopStatus.OPEN and stop.raised_by_id == user_id
            and now - stop.raised_at <= CANCEL_WINDOW)


def open_stop_of(operator_id: int) -> Stoppage | None:
    """The operator's own stop that is not closed yet, if any."""
    return db.session.scalar(select(Stoppage).where(Stoppage.operator_id == operator_id,
                                                    Stoppage.status.in_(STOPS_ACTIVE)))


def closed_today(line_id: int | None = None, limit: int = 20) -> list[Stoppage]:
    start, _end = clock.local_day_bounds_utc(clock.local_today())
    q = (select(Stoppage).where(Stoppage.status == StopStatus.CLOSED, Stoppage.ended_at >= start)
         .options(selectinload(Stoppage.line), selectinload(Stoppage.operator))
         .order_by(Stoppage.ended_at.desc()).limit(limit))
    if line_id is not None:
        q = q.where(Stoppage.line_id == line_id)
    return list(db.session.scalars(q))


@dataclass(frozen=True)
class BoardStop:
    """An open stop on the wall board: what is stopped, why, for how long, and whether it is past the alert."""
    id: int
    scope: StopScope
    who: str          # the operator's name or the machine's number ("" for the whole line)
    reason: StopReason
    status: StopStatus
    minutes: int
    alert: bool


def board_stops(now_utc: datetime | None = None) -> dict[int, list[BoardStop]]:
    """Open stops per line id, longest first; red (alert) from config STOP_ALERT_MINUTES."""
    now = now_utc or clock.utcnow()
    alert_after = int(current_app.config["STOP_ALERT_MINUTES"])
    out: dict[int, list[BoardStop]] = {}
    for s in active_stops():
        minutes = elapsed_minutes(s.started_at, now)
        who = s.operator.name if s.operator is not None else (s.machine or "")
        out.setdefault(s.line_id, []).append(BoardStop(id=s.id, scope=s.scope, who=who, reason=s.reason,
                                                       status=s.status, minutes=minutes,
                                                       alert=minutes >= alert_after))
    return out
