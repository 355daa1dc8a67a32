"""Helpers for the calendar, attendance and figures tests: factory-local times, a line's shifts, badges."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from shopfloor import clock
from shopfloor.attendance import services as attendance
from shopfloor.auth.services import badge_payload
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Holiday, OvertimeWindow, Shift, ShiftBreak

EVERY_DAY = "0123456"


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """Naive UTC for factory-local hh:mm on day."""
    return datetime.combine(day, time(hh, mm), tzinfo=clock.factory_tz()).astimezone(timezone.utc).replace(tzinfo=None)


def yesterday() -> date:
    return clock.local_today() - timedelta(days=1)


def shift(line, start: str, end: str, *, number: int = 1, breaks=(), weekdays: str = EVERY_DAY) -> Shift:
    """breaks: (start 'HH:MM', minutes, paid)."""
    with write_transaction():
        s = Shift(line_id=line.id, number=number, starts_at=time.fromisoformat(start), ends_at=time.fromisoformat(end),
                  weekdays=weekdays,
                  breaks=[ShiftBreak(starts_at=time.fromisoformat(b), minutes=m, paid=p) for b, m, p in breaks])
        db.session.add(s)
    return s


def holiday(day: date, name: str = "Victory Day") -> None:
    with write_transaction():
        db.session.add(Holiday(day=day, name=name))


def overtime(line, day: date, start: str, end: str) -> None:
    with write_transaction():
        db.session.add(OvertimeWindow(line_id=line.id, day=day, starts_at=time.fromisoformat(start),
                                      ends_at=time.fromisoformat(end)))


def clock_in_out(user, day: date, t_in: tuple[int, int], t_out: tuple[int, int] | None = None):
    attendance.punch(badge_payload(user), now=at(day, *t_in))
    if t_out is not None:
        attendance.punch(badge_payload(user), now=at(day, *t_out))
