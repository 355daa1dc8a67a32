"""Minutes attended and the efficiency figures per operator and day: what the board, the review and the
operator's own day read (one computation; the division is vocabulary.Efficiency).

Attended minutes of an operator's day come from, in order:
  1. the attendance record (clock-in / clock-out at the gate, or a supervisor's correction);
  2. with ATTENDANCE_SOURCE = "first-last-scan": the first and last scan of the day (ledger entries);
  3. else, when the operator logged pieces without a record: the line's planned day (so far, today) stands in,
     as before attendance was kept ("planned").
Each stay counts only inside the line's shifts and approved overtime, less unpaid breaks (shifts/calendar).
A stay still open counts to now today, and to the end of the line's day on a past day.

Approved off-standard minutes come from stoppages (stoppages/queries.stop_intervals): the operator's own stops
and their line's whose reason is off-standard (vocabulary.OFF_STANDARD_REASONS), an open one running until now,
counted only inside the operator's stay and measured like attendance (inside shifts, less unpaid breaks);
stops that overlap count once (`_stopped_minutes`). A caller may pass them in instead (hand-computed tests).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, select, text

from shopfloor import clock, money
from shopfloor.attendance import kept
from shopfloor.extensions import db
from shopfloor.models import Attendance
from shopfloor.models.calendar import stay_times
from shopfloor.shifts import calendar
from shopfloor.stoppages.queries import StopInterval, merged, stop_intervals
from shopfloor.vocabulary import Efficiency, StopScope

CLOCK, CORRECTION, SCANS, PLANNED = "clock", "correction", "scans", "planned"
OffStandard = Mapping[tuple[int, date], float]


@dataclass(slots=True)   # a month of a thousand operators is 26,000 of them; the board makes 1,000 a poll
class OperatorDayFigures:
    operator_id: int
    day: date
    line_id: int | None
    pieces: int = 0
    earned: float = 0.0
    attended: int = 0
    off_standard: float = 0.0
    overtime: int = 0                  # attended minutes inside approved overtime, outside every shift
    source: str = PLANNED
    time_in: datetime | None = None    # naive UTC, as counted
    time_out: datetime | None = None
    earned_minutes: Decimal = Decimal(0)   # earned, exact (operator_day.earned_minutes), for the payslip
    earnings_e4: int = 0               # piece-rate pay of the day, ten-thousandths (operator_day.earnings_e4)
    logged: bool = False               # the day has an operator_day row (work was logged, maybe reversed)

    @property
    def figures(self) -> Efficiency:
        return Efficiency(self.earned, float(self.attended), self.off_standard)

    # Where an operator's day counts (the SQL over kept days says the same: attendance/kept.py).
    @property
    def on_line(self) -> bool:
        """Among its line's operators that day, its minutes in the line's figures: pieces logged, or clocked in."""
        return self.pieces > 0 or self.time_in is not None

    @property
    def attended_day(self) -> bool:
        """A day of the payslip's days, minutes and minimum wage: minutes attended, or pieces logged."""
        return self.attended > 0 or self.pieces > 0

    @property
    def on_payslip(self) -> bool:
        """On the operator's payslip at all: work logged (maybe all reversed), or an attended day."""
        return self.logged or self.attended_day


@dataclass
class LineDayTotals:
    """A line's day: its operators (on_line) and their earned, attended and approved off-standard minutes."""
    operators: int = 0
    earned: float = 0.0
    attended: float = 0.0
    off_standard: float = 0.0


@dataclass
class OperatorTotals:
    """An operator's days of a period on their payslip (on_payslip): pieces, earned minutes and pay of them all;
    days, minutes attended, off-standard and overtime of the attended ones; the line of the latest."""
    line_id: int | None = None
    last_day: date | None = None
    days: int = 0
    pieces: int = 0
    earned_minutes: Decimal = Decimal(0)
    earnings_e4: int = 0
    attended: int = 0
    off_standard: float = 0.0
    overtime: int = 0

    def add(self, f: OperatorDayFigures) -> None:
        if self.last_day is None or f.day >= self.last_day:
            self.line_id, self.last_day = f.line_id, f.day
        self.pieces += f.pieces
        self.earned_minutes += f.earned_minutes
        self.earnings_e4 += f.earnings_e4
        if f.attended_day:
            self.days += 1
            self.attended += f.attended
            self.off_standard += f.off_standard
            self.overtime += f.overtime


@dataclass
class Period:
    """A period's operator-days summed by line and day and by operator (the review and the payslips)."""
    line_days: dict[tuple[int | None, date], LineDayTotals] = field(default_factory=dict)
    operators: dict[int, OperatorTotals] = field(default_factory=dict)

    def add(self, f: OperatorDayFigures) -> None:
        if f.on_line:
            t = self.line_days.setdefault((f.line_id, f.day), LineDayTotals())
            t.operators += 1
            t.earned += f.earned
            t.attended += f.attended
            t.off_standard += f.off_standard
        if f.on_payslip:
            self.operators.setdefault(f.operator_id, OperatorTotals()).add(f)


_EARNED = text("""
SELECT d.operator_id, d.day, coalesce(d.line_id, u.line_id) AS line_id, d.pieces, d.earned_minutes, d.earnings_e4
FROM operator_day d JOIN users u ON u.id = d.operator_id
WHERE d.day BETWEEN :start AND :end
  AND (CAST(:op AS INTEGER) IS NULL OR d.operator_id = :op)""")
_FIRST_LAST = text("""
SELECT operator_id, min(created_at) AS first, max(created_at) AS last FROM work_log
WHERE operator_id IN :ops AND created_at >= :start AND created_at < :end AND reverses_id IS NULL
GROUP BY operator_id""").bindparams(bindparam("ops", expanding=True))
_USER_LINES = text("SELECT id, line_id FROM users WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))


def operator_days(start: date, end: date, *, off_standard: OffStandard | None = None, line_id: int | None = None,
                  operator_id: int | None = None, now_utc: datetime | None = None,
                  planned_today: Mapping[int | None, float] | None = None,
                  cal: calendar.Calendar | None = None) -> list[OperatorDayFigures]:
    """Figures per operator and day from start to end (one line's operators, or one operator).

    planned_today: minutes worked so far per line today that stand in for an operator without a record
    (the board's working day); by default the line's planned day up to now. cal: the period's calendar of every
    line, when the caller has read it already (the board). off_standard: approved
    off-standard minutes per (operator_id, day); by default read from the stops of the period. Every operator's
    figures of a closed day, once kept (attendance/kept.py), are read back; the rest are worked out."""
    now_utc = now_utc or clock.utcnow()
    if off_standard is None and planned_today is None and operator_id is None:
        return _with_kept(start, end, line_id, now_utc)
    return worked_out(start, end, off_standard=off_standard, line_id=line_id, operator_id=operator_id,
                      now_utc=now_utc, planned_today=planned_today, cal=cal)


def _with_kept(start: date, end: date, line_id: int | None, now_utc: datetime) -> list[OperatorDayFigures]:
    """Kept days read back; the others worked out (the worker keeps closed days: attendance/keeper.py)."""
    usable = kept.usable_days(start, end)
    out: list[OperatorDayFigures] = []
    if usable:
        earned = _earned(usable[0], usable[-1], None)
        for (op, day), k in kept.read(usable, line_id).items():
            f = earned.get((op, day)) or OperatorDayFigures(op, day, k.line_id)
            f.source, f.time_in, f.time_out = k.source, k.time_in, k.time_out
            f.attended, f.overtime, f.off_standard = k.attended, k.overtime, float(k.off_standard)
            out.append(f)
    out.extend(_not_kept(start, end, usable, line_id, now_utc))
    return sorted(out, key=lambda f: (f.day, f.line_id or 0, f.operator_id))


def period(start: date, end: date, line_id: int | None = None, now_utc: datetime | None = None, *,
           line_days: bool = True) -> Period:
    """Every operator's days from start to end (one line's) summed by line and day (unless line_days is False:
    the payslips) and by operator: the kept days summed in the database (kept.line_day_totals,
    kept.operator_totals), the others worked out and added."""
    now_utc = now_utc or clock.utcnow()
    out = Period()
    usable = kept.usable_days(start, end)
    if usable and line_days:
        for day, line, n, earned, attended, off in kept.line_day_totals(usable, line_id):
            out.line_days[(line, day)] = LineDayTotals(int(n), float(earned or 0), float(attended or 0),
                                                       float(off or 0))
    if usable:
        for op, line, last, days, pieces, earned, earnings, attended, off, overtime in kept.operator_totals(
                usable, line_id):
            out.operators[op] = OperatorTotals(line, last, int(days), int(pieces), money.thousandths(earned),
                                               int(earnings), int(attended), float(off), int(overtime))
    for f in _not_kept(start, end, usable, line_id, now_utc):
        out.add(f)
    return out


def _not_kept(start: date, end: date, kept_days: list[date], line_id: int | None, now_utc: datetime):
    """The figures of the days from start to end that are not kept, worked out a run of consecutive days at a
    time (one read of each run's period)."""
    skip, runs = set(kept_days), []
    for d in clock.days(start, end):
        if d in skip:
            continue
        if runs and (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    for run in runs:
        yield from worked_out(run[0], run[-1], now_utc=now_utc, line_id=line_id)


def _earned(start: date, end: date, operator_id: int | None) -> dict[tuple[int, date], OperatorDayFigures]:
    """The period's operator-day summaries (pieces, earned minutes, pay), as figures to fill in."""
    rows: dict[tuple[int, date], OperatorDayFigures] = {}
    for op, day, line, pieces, earned, earnings in db.session.execute(
            _EARNED, {"start": start, "end": end, "op": operator_id}).all():
        key = (op, clock.as_date(day))
        rows[key] = OperatorDayFigures(op, key[1], line, int(pieces or 0), float(earned or 0),
                                       earned_minutes=money.decimal(earned or 0), earnings_e4=int(earnings or 0),
                                       logged=True)
    return rows


def worked_out(start: date, end: date, *, off_standard: OffStandard | None = None, line_id: int | None = None,
               operator_id: int | None = None, now_utc: datetime | None = None,
               planned_today: Mapping[int | None, float] | None = None,
               cal: calendar.Calendar | None = None) -> list[OperatorDayFigures]:
    """operator_days worked out from attendance, the calendar and the stops; nothing read from or kept."""
    now_utc = now_utc or clock.utcnow()
    now_local = clock.to_local(now_utc).replace(tzinfo=None)
    today = now_local.date()
    rows = _earned(start, end, operator_id)
    records = _records(start, end, operator_id)
    missing = sorted({op for op, _d in records} - {op for op, _d in rows})
    lines_of = dict(db.session.execute(_USER_LINES, {"ids": missing}).all()) if missing else {}
    for key in records:
        if key not in rows:
            rows[key] = OperatorDayFigures(key[0], key[1], lines_of.get(key[0]))
    if line_id is not None:
        rows = {k: v for k, v in rows.items() if v.line_id == line_id}
    if not rows:
        return []

    cal = cal or calendar.load(start, end)
    local = clock.naive_local()
    stops = _Stops(_off_standard_stops(start, end) if off_standard is None else [], now_local, local)
    by_scans = current_app.config.get("ATTENDANCE_SOURCE") == "first-last-scan"
    scans = _first_last(rows, by_scans, records)
    for key, f in rows.items():
        ld = cal.line_day(f.line_id, f.day)
        record = records.get(key)
        if record is not None and record.time_in is not None:
            f.source = CORRECTION if record.corrected else CLOCK
            f.time_in, f.time_out = record.time_in, record.time_out
        elif key in scans:
            f.source = SCANS
            f.time_in, f.time_out = scans[key]
            if f.day == today:
                f.time_out = max(f.time_out, now_utc)
        elif f.pieces > 0:
            f.source = PLANNED
            if f.day == today and planned_today is not None and f.line_id in planned_today:
                f.attended = int(planned_today[f.line_id])
            else:
                f.attended = ld.minutes_until(now_local) if f.day == today else ld.planned_minutes
        else:
            f.source = PLANNED  # a record with no clock-in (an absence kept by a correction)
        stay = None
        if f.time_in is not None:
            stay = (local(f.time_in), _stay_end(f, ld, today, now_local, local))
            f.attended, f.overtime = ld.stay_minutes(*stay)
        elif f.pieces > 0 and ld.start is not None:
            stay = (ld.start, min(now_local, ld.end) if f.day == today else ld.end)
        if off_standard is not None:
            f.off_standard = float(off_standard.get(key, 0))
        elif stay is not None:
            f.off_standard = _stopped_minutes(f, ld, stops, stay)
    return sorted(rows.values(), key=lambda f: (f.day, f.line_id or 0, f.operator_id))


class _Record(NamedTuple):
    """An attendance record as counted (the corrected times once corrected: models.calendar.stay_times)."""
    corrected: bool
    time_in: datetime | None
    time_out: datetime | None


_RECORD_COLUMNS = (Attendance.operator_id, Attendance.day, Attendance.corrected, Attendance.clock_in,
                   Attendance.clock_out, Attendance.corrected_in, Attendance.corrected_out)


def _records(start: date, end: date, operator_id: int | None) -> dict[tuple[int, date], _Record]:
    """The period's attendance records as plain rows (a month of a thousand operators is 26,000 of them)."""
    q = select(*_RECORD_COLUMNS).where(Attendance.day.between(start, end))
    if operator_id is not None:
        q = q.where(Attendance.operator_id == operator_id)
    return {(op, day): _Record(bool(corrected), *stay_times(bool(corrected), *times))
            for op, day, corrected, *times in db.session.execute(q).all()}


class _Stops:
    """The period's off-standard stops in factory time, found by operator or line and by the days they touch
    (a month of a thousand operators asks for 26,000 days; each looks at its own stops only)."""

    def __init__(self, stops: list[StopInterval], now_local: datetime, local):
        self._by: dict[tuple, list[tuple[int, datetime, datetime]]] = {}
        self._whose: set[tuple] = set()   # (scope, id) of every stop: most operators' days have none to look at
        # Minutes of the same stops clipped the same way on the same line day: a line's stop inside the stays of
        # all its operators is measured once, not once per operator.
        self.minutes: dict[tuple, float] = {}
        for s in stops:
            if s.scope == StopScope.OPERATOR:
                key = (StopScope.OPERATOR, s.operator_id)
            elif s.scope == StopScope.LINE:
                key = (StopScope.LINE, s.line_id)
            else:
                continue   # a machine's stop stops nobody's pay
            self._whose.add(key)
            a, b = local(s.started_at), local(s.ended_at) if s.ended_at else now_local
            for d in clock.days(a.date(), b.date()):
                self._by.setdefault((*key, d), []).append((s.id, a, b))

    def spans(self, f: OperatorDayFigures, lo: datetime, hi: datetime) -> list[tuple[datetime, datetime]]:
        """The operator's own stops and their line's, clipped to the stay lo..hi."""
        if (StopScope.OPERATOR, f.operator_id) not in self._whose and (StopScope.LINE, f.line_id) not in self._whose:
            return []
        found = {}
        for d in clock.days(lo.date(), hi.date()):
            for key in ((StopScope.OPERATOR, f.operator_id, d), (StopScope.LINE, f.line_id, d)):
                for sid, a, b in self._by.get(key, ()):
                    found[sid] = (max(a, lo), min(b, hi))
        return [(a, b) for a, b in found.values() if b > a]


def _off_standard_stops(start: date, end: date) -> list[StopInterval]:
    lo, _hi = clock.local_day_bounds_utc(start)
    _lo, hi = clock.local_day_bounds_utc(end)
    return [s for s in stop_intervals(lo, hi) if s.off_standard]


def _stopped_minutes(f: OperatorDayFigures, ld: calendar.LineDay, stops: _Stops,
                     stay: tuple[datetime, datetime]) -> float:
    """Approved off-standard minutes of one operator's day: their own stops and their line's, inside their stay,
    overlapping stops once, measured like attendance (inside shifts and approved overtime, less unpaid breaks)."""
    spans = merged(stops.spans(f, *stay))
    if not spans:
        return 0.0
    key = (ld.line_id, ld.day, *spans)
    found = stops.minutes.get(key)
    if found is None:
        found = stops.minutes[key] = float(sum(ld.attended_minutes(a, b) for a, b in spans))
    return found


def _stay_end(f: OperatorDayFigures, ld: calendar.LineDay, today: date, now_local: datetime, local) -> datetime:
    if f.time_out is not None:
        return local(f.time_out)
    if f.day >= today:
        return now_local
    return ld.end or local(f.time_in)   # forgot to clock out on a past day: the end of the line's day


def _first_last(rows, by_scans: bool, records) -> dict[tuple[int, date], tuple[datetime, datetime]]:
    """The first and last scan per operator and day (only when they stand in for the clock)."""
    if not by_scans:
        return {}
    out = {}
    days = sorted({d for (_op, d), f in rows.items() if f.pieces > 0 and (_op, d) not in records})
    for d in days:
        ops = [op for (op, dd), f in rows.items() if dd == d and f.pieces > 0]
        s, e = clock.local_day_bounds_utc(d)
        for r in db.session.execute(_FIRST_LAST, {"ops": ops, "start": s, "end": e}).mappings():
            out[(r["operator_id"], d)] = (clock.as_datetime(r["first"]), clock.as_datetime(r["last"]))
    return out


def totals(days: list[OperatorDayFigures], key) -> dict:
    """Figures summed by key(operator_day) -> Efficiency (a line, a day, an operator, a period)."""
    out: dict = {}
    for f in days:
        k = key(f)
        out[k] = out.get(k, Efficiency()) + f.figures
    return out
