"""The shift calendar as rules: a line's day (its shifts, breaks, approved overtime) and the minutes in it.

A line's day is built from the `shifts` of the line running on that weekday, unless the day is a holiday;
overtime windows approved for the line and day are added. A line with no shift configured keeps the
planned shift of the settings (SHIFT_START, SHIFT_MINUTES), no breaks, on every day but a holiday: the
factory behaves as before it had a calendar.

Attended minutes of a stay (clock-in to clock-out) = the minutes of the stay inside the line's shifts or an
approved overtime window, less the unpaid breaks inside it. Times are factory-local, naive; minutes whole
(seconds are dropped from both ends of a stay).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.models import Holiday, OvertimeWindow, Shift


@dataclass(frozen=True)
class Span:
    start: datetime   # factory-local, naive
    end: datetime

    @property
    def minutes(self) -> int:
        return max(0, int((self.end - self.start).total_seconds() // 60))

    def overlap(self, start: datetime, end: datetime) -> int:
        lo, hi = max(self.start, start), min(self.end, end)
        return max(0, int((hi - lo).total_seconds() // 60))


def span_on(day: date, starts: time, ends: time) -> Span:
    """A span from clock times on a day; an end at or before the start is on the next day."""
    a, b = datetime.combine(day, starts), datetime.combine(day, ends)
    return Span(a, b if b > a else b + timedelta(days=1))


@dataclass(frozen=True)
class ShiftDay:
    number: int
    span: Span
    breaks: tuple[tuple[Span, bool], ...] = ()   # (span, paid)

    @property
    def unpaid(self) -> list[Span]:
        return [s for s, paid in self.breaks if not paid]

    @property
    def paid_minutes(self) -> int:
        return self.span.minutes - sum(b.minutes for b in self.unpaid)


@dataclass(frozen=True)
class LineDay:
    line_id: int | None
    day: date
    shifts: tuple[ShiftDay, ...] = ()
    overtime: tuple[Span, ...] = ()
    holiday: str | None = None
    configured: bool = False       # False: the planned shift of the settings stands in
    _stays: dict = field(default_factory=dict, compare=False, repr=False)   # stay_minutes, by the stay that counts

    @cached_property
    def spans(self) -> list[Span]:
        """The times that count: the shifts and the approved overtime, merged where they touch (worked out
        once per line day: a month's review asks it for every operator's day)."""
        out: list[Span] = []
        for s in sorted([sh.span for sh in self.shifts] + list(self.overtime), key=lambda s: s.start):
            if out and s.start <= out[-1].end:
                out[-1] = Span(out[-1].start, max(out[-1].end, s.end))
            else:
                out.append(s)
        return out

    @cached_property
    def unpaid(self) -> list[Span]:
        return [b for sh in self.shifts for b in sh.unpaid]

    @property
    def start(self) -> datetime | None:
        spans = self.spans
        return spans[0].start if spans else None

    @property
    def end(self) -> datetime | None:
        spans = self.spans
        return spans[-1].end if spans else None

    @property
    def first_shift_start(self) -> datetime | None:
        return min((sh.span.start for sh in self.shifts), default=None)

    def attended_minutes(self, start: datetime, end: datetime) -> int:
        """Minutes of a stay that count: inside a shift or approved overtime, less unpaid breaks."""
        return self.stay_minutes(start, end)[0]

    def overtime_minutes(self, start: datetime, end: datetime) -> int:
        """Minutes of a stay that count only because overtime was approved: attended, but outside every shift."""
        return self.stay_minutes(start, end)[1]

    def stay_minutes(self, start: datetime, end: datetime) -> tuple[int, int]:
        """(attended, overtime) minutes of a stay, worked out together (a month's review asks both of every
        operator's day)."""
        start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
        spans = self.spans
        if spans:   # nothing counts outside the spans (breaks are inside shifts): clipped to them, the stays of
            start, end = max(start, spans[0].start), min(end, spans[-1].end)   # all who came early are one
        if end <= start:
            return 0, 0
        found = self._stays.get((start, end))
        if found is None:
            unpaid = sum(b.overlap(start, end) for b in self.unpaid)
            attended = max(0, sum(s.overlap(start, end) for s in spans) - unpaid)
            in_shifts = sum(sh.span.overlap(start, end) for sh in self.shifts) - unpaid
            found = self._stays[(start, end)] = (attended, max(0, attended - max(0, in_shifts)))
        return found

    def minutes_until(self, now: datetime) -> int:
        """The planned attended minutes of the day up to now (the whole day once it is over)."""
        begin = self.start
        return self.attended_minutes(begin, now) if begin else 0

    @property
    def planned_minutes(self) -> int:
        end = self.end
        return self.minutes_until(end) if end else 0


@dataclass
class Calendar:
    """The calendar read once for a range of days: shifts per line, holidays, approved overtime."""
    shifts: dict[int, list[Shift]] = field(default_factory=dict)
    holidays: dict[date, str] = field(default_factory=dict)
    overtime: dict[tuple[int, date], list[Span]] = field(default_factory=dict)
    default_start: time = time(8)
    default_minutes: int = 480
    _days: dict[tuple[int | None, date], LineDay] = field(default_factory=dict, repr=False)

    def line_day(self, line_id: int | None, day: date) -> LineDay:
        """A line's day, built once per calendar (the calendar is read for one request's days)."""
        key = (line_id, day)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = self._line_day(line_id, day)
        return found

    def _line_day(self, line_id: int | None, day: date) -> LineDay:
        holiday = self.holidays.get(day)
        ot = tuple(self.overtime.get((line_id, day), ())) if line_id is not None else ()
        configured = bool(self.shifts.get(line_id))
        shifts: tuple[ShiftDay, ...] = ()
        if holiday is None and configured:
            shifts = tuple(_shift_day(s, day) for s in self.shifts[line_id] if str(day.weekday()) in s.weekdays)
        elif holiday is None:  # as before the calendar: the planned shift on every day but a holiday
            start = datetime.combine(day, self.default_start)
            shifts = (ShiftDay(1, Span(start, start + timedelta(minutes=self.default_minutes))),)
        return LineDay(line_id, day, shifts, ot, holiday, configured)


def _shift_day(s: Shift, day: date) -> ShiftDay:
    span = span_on(day, s.starts_at, s.ends_at)
    breaks = []
    for b in s.breaks:
        at = datetime.combine(day, b.starts_at)
        if at < span.start:  # a break after midnight of a night shift
            at += timedelta(days=1)
        breaks.append((Span(at, at + timedelta(minutes=b.minutes)), bool(b.paid)))
    return ShiftDay(s.number, span, tuple(breaks))


def load(start: date, end: date, line_ids: Iterable[int] | None = None) -> Calendar:
    """The calendar for the days start..end (all lines, or the lines given)."""
    cfg = current_app.config
    cal = Calendar(default_start=time.fromisoformat(cfg["SHIFT_START"]), default_minutes=int(cfg["SHIFT_MINUTES"]))
    q = select(Shift).options(selectinload(Shift.breaks)).order_by(Shift.line_id, Shift.number)
    ot = select(OvertimeWindow).where(OvertimeWindow.day.between(start, end))
    if line_ids is not None:
        ids = list(line_ids)
        q, ot = q.where(Shift.line_id.in_(ids)), ot.where(OvertimeWindow.line_id.in_(ids))
    for s in db.session.scalars(q):
        cal.shifts.setdefault(s.line_id, []).append(s)
    cal.holidays = {h.day: h.name for h in db.session.scalars(select(Holiday).where(Holiday.day.between(start, end)))}
    for w in db.session.scalars(ot.order_by(OvertimeWindow.starts_at)):
        cal.overtime.setdefault((w.line_id, w.day), []).append(span_on(w.day, w.starts_at, w.ends_at))
    return cal


def line_day(line_id: int | None, day: date) -> LineDay:
    return load(day, day, None if line_id is None else [line_id]).line_day(line_id, day)


_ends: dict[tuple[int | None, datetime], datetime] = {}   # (line, minute) -> the latest end, this minute only


def forget_shift_ends() -> None:
    """Drop this process's minute of shift ends (a calendar change made here is seen at once)."""
    _ends.clear()


def last_shift_end(line_id: int | None, now_utc: datetime) -> datetime:
    """The latest end, at or before now, of a stretch the line works (its shifts and approved overtime merged,
    factory time), naive UTC: an operator's session on a shared phone ends there (auth/expiry.py). An operator
    on no line: the settings' planned shift. Read at most once a minute per line and process (the scan API
    asks on every scan), so a calendar change reaches sessions within the minute."""
    minute = now_utc.replace(second=0, microsecond=0)
    key = (line_id, minute)
    found = _ends.get(key)
    if found is not None:
        return found
    if line_id is None:
        value = clock.last_shift_end(minute)
    else:
        today = clock.to_local(minute).date()
        idle = not db.session().in_transaction()
        cal = load(today - timedelta(days=2), today, [line_id])
        if idle:  # leave the session as found: no read snapshot held open (the scan writes on its own connection)
            db.session.rollback()
        tz = clock.factory_tz()
        ends = [span.end.replace(tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)
                for back in (2, 1, 0) for span in cal.line_day(line_id, today - timedelta(days=back)).spans]
        value = max((e for e in ends if e <= minute), default=minute - timedelta(days=3))
    if any(k[1] != minute for k in _ends):
        _ends.clear()
    _ends[key] = value
    return value
