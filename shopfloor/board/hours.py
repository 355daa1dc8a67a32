"""The board's working day: the lines' days from the shift calendar, stretched to the hours in which work was
actually logged.

A line with shifts in the calendar (shopfloor/shifts/calendar.py) works its shifts and approved overtime:
its minutes worked are the calendar's (unpaid breaks left out), and the chart shows every hour of its shifts
(both, on a two-shift line). A line with no shift configured keeps the planned shift of the settings
(SHIFT_START, SHIFT_MINUTES): a line that sews before the start or after the end still worked those hours,
so its day runs from the earlier of (shift start, first hour with work) to the later of (shift end, end of
the last hour with work), and its minutes worked count along that span. The chart shows one span of hours
for every line: from the earliest line's start to the latest line's end, widened by the hours with work.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app

from shopfloor import clock
from shopfloor.shifts import calendar


@dataclass(frozen=True)
class WorkingDay:
    start: datetime   # factory-local, naive
    end: datetime

    @property
    def hours(self) -> range:
        """The clock hours the chart shows (an hour the day only touches is shown whole)."""
        last = self.end - timedelta(microseconds=1)
        return range(self.start.hour, (last.hour if last.date() == self.start.date() else 23) + 1)

    def minutes_worked(self, now_local: datetime) -> float:
        """Minutes from the start of the day to now, within the day (0 before it, its length after it)."""
        now = now_local.replace(tzinfo=None)
        span = (self.end - self.start).total_seconds() / 60.0
        return max(0.0, min(span, (now - self.start).total_seconds() / 60.0))


def planned_shift(day: date) -> WorkingDay:
    start = clock.shift_start_local(day)
    return WorkingDay(start, start + timedelta(minutes=int(current_app.config["SHIFT_MINUTES"])))


def working_day(day: date, hours_with_work: Iterable[int], shift: WorkingDay | None = None) -> WorkingDay:
    """The planned shift (or the span given), widened to every local hour of `day` in which work was logged."""
    shift = shift or planned_shift(day)
    worked = sorted(set(hours_with_work))
    if not worked:
        return shift
    midnight = datetime.combine(day, time(0))
    first = midnight + timedelta(hours=worked[0])
    after_last = midnight + timedelta(hours=worked[-1] + 1)
    return WorkingDay(min(shift.start, first), max(shift.end, after_last))


def chart_day(day: date, line_days: Iterable[calendar.LineDay], hours_with_work: Iterable[int]) -> WorkingDay:
    """The span every line's chart shows: the lines' days (a line without a calendar: the planned shift),
    widened to the hours with work."""
    spans = [planned_shift(day) if not ld.configured else WorkingDay(ld.start, ld.end)
             for ld in line_days if ld.start is not None or not ld.configured]
    span = WorkingDay(min(s.start for s in spans), max(s.end for s in spans)) if spans else None
    return working_day(day, hours_with_work, span)
