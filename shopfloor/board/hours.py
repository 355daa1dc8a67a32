"""The board's working day: the planned shift, stretched to the hours in which work was actually logged.

There is no shift calendar in the data: the planned shift is the configured start and length
(SHIFT_START, SHIFT_MINUTES). A line that sews before the start or after the end (overtime) still
worked those hours, so the day runs from the earlier of (shift start, first hour with work) to the
later of (shift end, end of the last hour with work). The chart shows those hours, and the minutes
worked (for efficiency and the target so far) count along the same span.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app

from shopfloor import clock


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


def working_day(day: date, hours_with_work: Iterable[int]) -> WorkingDay:
    """The planned shift, widened to every local hour of `day` in which work was logged."""
    shift = planned_shift(day)
    worked = sorted(set(hours_with_work))
    if not worked:
        return shift
    midnight = datetime.combine(day, time(0))
    first = midnight + timedelta(hours=worked[0])
    after_last = midnight + timedelta(hours=worked[-1] + 1)
    return WorkingDay(min(shift.start, first), max(shift.end, after_last))
