"""Demo calendar and attendance: Line 1 on one shift with a lunch break, Line 2 on two shifts; every
operator clocked in and out at the gate on the demo days (a few late, one absent today)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Attendance, Line, Role, Shift, ShiftBreak, User
from shopfloor.shifts import calendar

DAYS = 3


def seed_time(rng) -> None:
    lines = {ln.code: ln for ln in db.session.scalars(select(Line))}
    with write_transaction():
        if "L1" in lines:
            db.session.add(Shift(line_id=lines["L1"].id, number=1, starts_at=time(8), ends_at=time(16, 30),
                                 breaks=[ShiftBreak(starts_at=time(10), minutes=15, paid=True),
                                         ShiftBreak(starts_at=time(12, 30), minutes=30, paid=False)]))
        if "L2" in lines:
            db.session.add_all([
                Shift(line_id=lines["L2"].id, number=1, starts_at=time(6), ends_at=time(14),
                      breaks=[ShiftBreak(starts_at=time(10), minutes=30, paid=False)]),
                Shift(line_id=lines["L2"].id, number=2, starts_at=time(14), ends_at=time(22),
                      breaks=[ShiftBreak(starts_at=time(18), minutes=30, paid=False)])])
    now_utc = clock.utcnow()
    now = clock.to_local(now_utc).replace(tzinfo=None)
    today = now.date()
    operators = db.session.scalars(select(User).where(User.role == Role.OPERATOR.value).order_by(User.id)).all()
    absent_today = {operators[i].id for i in (6, 21) if i < len(operators)}
    with write_transaction():
        cal = calendar.load(today - timedelta(days=DAYS), today)
        for back in range(DAYS, -1, -1):
            day = today - timedelta(days=back)
            for u in operators:
                ld = cal.line_day(u.line_id, day)
                # The demo's history sews 08:00-16:00 (the settings' planned shift), on both lines.
                start = datetime.combine(day, time(8)) - timedelta(minutes=rng.randint(2, 14))
                if rng.random() < 0.08:
                    start += timedelta(minutes=rng.randint(18, 35))   # late
                end = datetime.combine(day, time(16)) + timedelta(minutes=rng.randint(1, 12))
                if not ld.shifts or start > now or (day == today and u.id in absent_today):
                    continue
                db.session.add(Attendance(operator_id=u.id, day=day, clock_in=_utc(start),
                                          clock_out=_utc(end) if end <= now else None))


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=clock.factory_tz()).astimezone(timezone.utc).replace(tzinfo=None)
