"""Who is present, late, absent or gone per line today, and the corrections made (read only)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from shopfloor import clock
from shopfloor.attendance import figures
from shopfloor.extensions import db
from shopfloor.models import Attendance, AttendanceCorrection, Line, Role, User
from shopfloor.shifts import calendar
from shopfloor.vocabulary import Presence


@dataclass
class PresenceRow:
    id: int
    name: str
    status: Presence
    time_in: datetime | None = None    # naive UTC
    time_out: datetime | None = None
    attended: int = 0
    source: str = ""


@dataclass
class LinePresence:
    id: int | None
    name: str
    day: calendar.LineDay
    rows: list[PresenceRow] = field(default_factory=list)

    def count(self, status: Presence) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _status(f: figures.OperatorDayFigures | None, ld: calendar.LineDay, now_local: datetime,
            late_after: timedelta) -> Presence:
    start = ld.first_shift_start
    if (f is None or f.time_in is None) and start is None:
        return Presence.OFF   # a rest day or a holiday on this line: nobody is expected
    if f is None or f.time_in is None:
        return Presence.ABSENT if start is not None and now_local >= start + late_after else Presence.EXPECTED
    if f.source in (figures.CLOCK, figures.CORRECTION) and f.time_out is not None:
        return Presence.LEFT
    came = clock.to_local(f.time_in).replace(tzinfo=None)
    return Presence.LATE if start is not None and came > start + late_after else Presence.PRESENT


def presence(day: date | None = None, line_id: int | None = None, now_utc: datetime | None = None) -> list[LinePresence]:
    """Each line's operators with their status today (an operator on no line is listed last)."""
    now_utc = now_utc or clock.utcnow()
    now_local = clock.to_local(now_utc).replace(tzinfo=None)
    day = day or now_local.date()
    late_after = timedelta(minutes=int(current_app.config["LATE_AFTER_MINUTES"]))
    cal = calendar.load(day, day)
    days = {f.operator_id: f for f in figures.operator_days(day, day, off_standard={}, now_utc=now_utc)}
    lines = db.session.scalars(select(Line).where(Line.active).order_by(Line.code)).all()
    out = {ln.id: LinePresence(ln.id, ln.name, cal.line_day(ln.id, day)) for ln in lines
           if line_id is None or ln.id == line_id}
    ops = db.session.scalars(select(User).where(User.role == Role.OPERATOR.value, User.active)
                             .order_by(User.name)).all()
    for u in ops:
        if u.line_id not in out:
            if line_id is not None or u.line_id is not None:
                continue
            out[None] = out.get(None) or LinePresence(None, "", cal.line_day(None, day))
        lp = out[u.line_id]
        f = days.get(u.id)
        lp.rows.append(PresenceRow(u.id, u.name, _status(f, lp.day, now_local, late_after),
                                   f.time_in if f else None, f.time_out if f else None,
                                   f.attended if f else 0, f.source if f else ""))
    return list(out.values())


def corrections(day: date) -> list[AttendanceCorrection]:
    """The corrections of a day's records, newest first (who, when, before and after, why)."""
    return list(db.session.scalars(select(AttendanceCorrection).join(Attendance)
                                   .where(Attendance.day == day).order_by(AttendanceCorrection.id.desc())))


def my_record(operator_id: int, day: date) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.operator_id == operator_id, Attendance.day == day))
