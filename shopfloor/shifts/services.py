"""Editing the shift calendar (managers): a line's shifts and breaks, holidays, overtime approved for a
day. Every change is audited."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shopfloor import clock
from shopfloor.attendance import kept
from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Holiday, Line, OvertimeWindow, Shift, ShiftBreak
from shopfloor.shifts.calendar import forget_shift_ends, span_on

SHIFT_SAVE, SHIFT_DELETE = "shift_save", "shift_delete"
HOLIDAY_ADD, HOLIDAY_DELETE = "holiday_add", "holiday_delete"
OVERTIME_APPROVE, OVERTIME_DELETE = "overtime_approve", "overtime_delete"
audit.LABELS.update({SHIFT_SAVE: _l("Shift saved"), SHIFT_DELETE: _l("Shift removed"), HOLIDAY_ADD: _l("Holiday added"),
                     HOLIDAY_DELETE: _l("Holiday removed"), OVERTIME_APPROVE: _l("Overtime approved"),
                     OVERTIME_DELETE: _l("Overtime removed")})
MAX_SHIFTS = 2


@dataclass(frozen=True)
class BreakInput:
    starts_at: time
    minutes: int
    paid: bool


@contextmanager
def _calendar_change(day: date | None = None):
    """A change of the calendar on a day (None: every day the shift runs), written in one transaction with the
    kept figures of that day forgotten (attendance/kept.py); this process's cached shift ends go with it (other
    processes read them again within the minute)."""
    with write_transaction():
        yield
        if day is None:
            kept.forget_all()
        else:
            kept.forget(day)
    forget_shift_ends()


def _line(line_id: int | None) -> Line:
    line = db.session.get(Line, line_id) if line_id is not None else None
    if line is None:
        raise DomainError(_("That line does not exist."))
    return line


def _t(t: time | None) -> str:
    return t.strftime("%H:%M") if t else ""


def save_shift(*, line_id: int | None, number: int | None, starts_at: time | None, ends_at: time | None,
               weekdays: str, breaks: list[BreakInput], by_user_id: int) -> Shift:
    """A line's shift 1 or 2 (replaced whole with its breaks). Breaks lie inside the shift and do not overlap;
    the two shifts of a line do not overlap on a day they both run."""
    line = _line(line_id)
    if number not in range(1, MAX_SHIFTS + 1):
        raise DomainError(_("A line has shift 1 and, on two shifts, shift 2."))
    if starts_at is None or ends_at is None or starts_at == ends_at:
        raise DomainError(_("Give the shift's start and end."))
    weekdays = "".join(sorted(set(d for d in weekdays if d in "0123456")))
    if not weekdays:
        raise DomainError(_("Choose the days the shift runs."))
    probe = date(2026, 1, 5)  # a Monday: only the clock times matter here
    span = span_on(probe, starts_at, ends_at)
    ends = []
    for b in sorted(breaks, key=lambda b: b.starts_at):
        at = datetime.combine(probe, b.starts_at)
        if at < span.start:
            at += timedelta(days=1)
        end = at + timedelta(minutes=b.minutes)
        if b.minutes <= 0 or at < span.start or end > span.end or (ends and at < ends[-1]):
            raise DomainError(_("Breaks must lie inside the shift, one after the other."))
        ends.append(end)
    other = db.session.scalar(select(Shift).where(Shift.line_id == line.id, Shift.number != number))
    if other is not None and set(other.weekdays) & set(weekdays):
        o = span_on(probe, other.starts_at, other.ends_at)
        if o.overlap(span.start, span.end) > 0:
            raise DomainError(_("The line's two shifts overlap."))
    with _calendar_change():
        shift = db.session.scalar(select(Shift).where(Shift.line_id == line.id, Shift.number == number))
        if shift is None:
            shift = Shift(line_id=line.id, number=number)
            db.session.add(shift)
        shift.starts_at, shift.ends_at, shift.weekdays = starts_at, ends_at, weekdays
        shift.breaks = [ShiftBreak(starts_at=b.starts_at, minutes=b.minutes, paid=b.paid) for b in breaks]
        audit.record(by_user_id, SHIFT_SAVE, f"{line.code} #{number}",
                     f"{_t(starts_at)}-{_t(ends_at)} days {weekdays} breaks "
                     + ", ".join(f"{_t(b.starts_at)}+{b.minutes}{' paid' if b.paid else ''}" for b in breaks))
    return shift


def delete_shift(shift_id: int, *, by_user_id: int) -> None:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        raise DomainError(_("That shift does not exist."), status=404)
    with _calendar_change():
        audit.record(by_user_id, SHIFT_DELETE, f"{shift.line.code} #{shift.number}",
                     f"{_t(shift.starts_at)}-{_t(shift.ends_at)}")
        db.session.delete(shift)


def add_holiday(*, day: date | None, name: str, by_user_id: int) -> Holiday:
    if day is None:
        raise DomainError(_("Give the holiday's date."))
    if not name:
        raise DomainError(_("Give the holiday a name."))
    if db.session.scalar(select(Holiday.id).where(Holiday.day == day)) is not None:
        raise DomainError(_("That day is already a holiday."))
    with _calendar_change(day):
        holiday = Holiday(day=day, name=name)
        db.session.add(holiday)
        audit.record(by_user_id, HOLIDAY_ADD, day.isoformat(), name)
    return holiday


def delete_holiday(holiday_id: int, *, by_user_id: int) -> None:
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        raise DomainError(_("That holiday does not exist."), status=404)
    with _calendar_change(holiday.day):
        audit.record(by_user_id, HOLIDAY_DELETE, holiday.day.isoformat(), holiday.name)
        db.session.delete(holiday)


def approve_overtime(*, line_id: int | None, day: date | None, starts_at: time | None, ends_at: time | None,
                     by_user_id: int) -> OvertimeWindow:
    """Overtime approved for a line on a day: minutes attended inside it count."""
    line = _line(line_id)
    if day is None:
        raise DomainError(_("Give the day of the overtime."))
    if starts_at is None or ends_at is None or starts_at == ends_at:
        raise DomainError(_("Give the overtime's start and end."))
    with _calendar_change(day):
        window = OvertimeWindow(line_id=line.id, day=day, starts_at=starts_at, ends_at=ends_at,
                                approved_by_id=by_user_id, approved_at=clock.utcnow())
        db.session.add(window)
        audit.record(by_user_id, OVERTIME_APPROVE, f"{line.code} {day.isoformat()}",
                     f"{_t(starts_at)}-{_t(ends_at)}")
    return window


def delete_overtime(window_id: int, *, by_user_id: int) -> None:
    window = db.session.get(OvertimeWindow, window_id)
    if window is None:
        raise DomainError(_("That overtime does not exist."), status=404)
    with _calendar_change(window.day):
        audit.record(by_user_id, OVERTIME_DELETE, f"{window.line.code} {window.day.isoformat()}",
                     f"{_t(window.starts_at)}-{_t(window.ends_at)}")
        db.session.delete(window)
