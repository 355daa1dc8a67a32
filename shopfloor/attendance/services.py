"""Attendance: clocking in and out by badge at the gate, and a supervisor's correction (audited, the
original times kept, every correction kept in attendance_corrections)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shopfloor import clock
from shopfloor.attendance import kept
from shopfloor.auth import audit
from shopfloor.auth.services import badge_holder
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Attendance, AttendanceCorrection, Role, User

ATTENDANCE_CORRECT = "attendance_correct"
audit.LABELS.update({ATTENDANCE_CORRECT: _l("Attendance corrected")})
# A second read of the same badge within this time (a scanner's double read) changes nothing.
REPEAT = timedelta(minutes=2)
# A clock-in this recent stays open across midnight (a night shift clocks out the next day).
LONGEST_STAY = timedelta(hours=16)
IN, OUT, REPEATED = "in", "out", "repeated"


@dataclass(frozen=True)
class Punch:
    user: User
    kind: str          # IN, OUT or REPEATED (nothing changed)
    at: datetime       # naive UTC of the punch that counts


def punch(payload: str, *, now: datetime | None = None) -> Punch:
    """A badge scanned at the gate: clock in, or clock out when a stay is open (a scan after clocking out
    opens the day again: the time between counts, less unpaid breaks)."""
    user = badge_holder((payload or "").strip())
    if user.role != Role.OPERATOR.value:
        raise DomainError(_("Only operators clock in at the gate."), status=422)
    now = (now or clock.utcnow()).replace(microsecond=0)
    try:
        return _punch(user, now)
    except IntegrityError:  # the same badge read by two gates at once: the other one counted
        db.session.rollback()
        return _punch(user, now)


def _punch(user: User, now: datetime) -> Punch:
    today = clock.to_local(now).date()
    with write_transaction():
        records = db.session.scalars(select(Attendance).where(
            Attendance.operator_id == user.id, Attendance.day.in_([today, today - timedelta(days=1)]))
            .order_by(Attendance.day.desc())).all()
        open_stay = next((a for a in records if a.clock_in is not None and a.clock_out is None
                          and now - a.clock_in < LONGEST_STAY), None)
        if open_stay is not None:
            if now - open_stay.clock_in < REPEAT:
                return Punch(user, REPEATED, open_stay.clock_in)
            open_stay.clock_out = now
            kept.forget(open_stay.day)   # a night shift's record is yesterday's
            return Punch(user, OUT, now)
        record = next((a for a in records if a.day == today), None)
        if record is None:
            db.session.add(Attendance(operator_id=user.id, day=today, clock_in=now))
            return Punch(user, IN, now)
        if record.clock_out is not None and now - record.clock_out < REPEAT:
            return Punch(user, REPEATED, record.clock_out)
        if record.clock_in is None:
            record.clock_in = now
        record.clock_out = None
        kept.forget(record.day)
        return Punch(user, IN, now)


def _utc(day: date, at: time | None) -> datetime | None:
    if at is None:
        return None
    return datetime.combine(day, at, tzinfo=clock.factory_tz()).astimezone(timezone.utc).replace(tzinfo=None)


def correct(operator_id: int, day: date, *, time_in: time | None, time_out: time | None, reason: str,
            by_user_id: int) -> Attendance:
    """Set an operator's times for a day (factory-local clock times; an out before the in is the next day).
    The scanned times stay as they were; the correction is kept with who, when and why, and audited."""
    if len((reason or "").strip()) < 3:
        raise DomainError(_("Give a reason for the correction."), status=422)
    user = db.session.get(User, operator_id)
    if user is None or user.role != Role.OPERATOR.value:
        raise DomainError(_("Only operators have attendance."), status=404)
    if time_in is None and time_out is not None:
        raise DomainError(_("A clock-out needs a clock-in."), status=422)
    new_in, new_out = _utc(day, time_in), _utc(day, time_out)
    if new_in is not None and new_out is not None and new_out <= new_in:
        new_out += timedelta(days=1)
    with write_transaction():
        record = db.session.scalar(select(Attendance).where(Attendance.operator_id == operator_id,
                                                            Attendance.day == day))
        if record is None:
            record = Attendance(operator_id=operator_id, day=day)
            db.session.add(record)
            db.session.flush()
        before_in, before_out = record.time_in, record.time_out
        record.corrected, record.corrected_in, record.corrected_out = True, new_in, new_out
        kept.forget(day)
        db.session.add(AttendanceCorrection(attendance_id=record.id, before_in=before_in, before_out=before_out,
                                            after_in=new_in, after_out=new_out, reason=reason.strip(),
                                            by_id=by_user_id, at=clock.utcnow()))
        audit.record(by_user_id, ATTENDANCE_CORRECT, f"{user.name} {day.isoformat()}",
                     f"{_hhmm(before_in)}-{_hhmm(before_out)} -> {_hhmm(new_in)}-{_hhmm(new_out)}: {reason.strip()}")
    return record


def _hhmm(ts: datetime | None) -> str:
    return clock.to_local(ts).strftime("%H:%M") if ts else "—"
