"""The shift calendar as the manager edits it (read only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shopfloor.extensions import db
from shopfloor.models import Holiday, Line, OvertimeWindow, Shift
from shopfloor.shifts import calendar


@dataclass
class LineShifts:
    line: Line
    shifts: dict[int, Shift]        # number -> shift
    today: calendar.LineDay


def line_shifts(today: date) -> list[LineShifts]:
    lines = db.session.scalars(select(Line).where(Line.active).order_by(Line.code)).all()
    cal = calendar.load(today, today)
    by_line: dict[int, dict[int, Shift]] = {}
    for s in db.session.scalars(select(Shift).options(selectinload(Shift.breaks))):
        by_line.setdefault(s.line_id, {})[s.number] = s
    return [LineShifts(ln, by_line.get(ln.id, {}), cal.line_day(ln.id, today)) for ln in lines]


def holidays(since: date) -> list[Holiday]:
    return list(db.session.scalars(select(Holiday).where(Holiday.day >= since).order_by(Holiday.day)))


def overtime(since: date) -> list[OvertimeWindow]:
    return list(db.session.scalars(select(OvertimeWindow).where(OvertimeWindow.day >= since - timedelta(days=7))
                                   .order_by(OvertimeWindow.day, OvertimeWindow.starts_at)))
