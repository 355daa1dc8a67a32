"""Closed days' attendance figures, kept (kept_figures), so that a month's review and payslips read a thousand
operators' days instead of working each out again from attendance, the calendar and the stops
(attendance/figures.py does the working out, for kept days and live ones alike).

A day is closed once it is before today and every line's day of it has ended (a night shift ends the next
morning): from then on its figures no longer move with the clock. The background worker works each closed day out
and keeps every operator's row of it (attendance/keeper.py), with the settings it was worked out under (attendance
source, planned shift, time zone); pages only read them, and work out a day that is not kept (or kept under other
settings).

A change that can alter a closed day's figures forgets the day in its own transaction (forget, forget_operator,
forget_all), and the worker keeps it again at its next turn:
  - attendance: a clock-in or clock-out on the record of a past day (a night shift's), a correction;
  - stops: one closed or undone, over every day it spans (one is raised from today on);
  - the calendar: an overtime window or a holiday of a day; a shift saved or deleted (every day);
  - the ledger: an old entry reversed (its day's pieces; a planned day stands in only where pieces were logged);
  - people: an operator moved to another line (their days without logged work count on the line they are on).
Each row also keeps the operator's line and whether they logged pieces that day, as the kept sums read them.

Figures are kept only if nothing was forgotten since the worker began to read them (the generation, read before
the figures and checked again under lock when keeping), so a change committed while a day was being worked out
never leaves the figures from before it kept.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, text

from shopfloor import clock
from shopfloor.database import side_transaction
from shopfloor.extensions import db
from shopfloor.shifts.calendar import Calendar

_SETTINGS = ("ATTENDANCE_SOURCE", "SHIFT_START", "SHIFT_MINUTES", "FACTORY_TIMEZONE")
_GENERATION = text("SELECT generation FROM kept_figures_generation WHERE id = 1")
_BUMP = text("UPDATE kept_figures_generation SET generation = generation + 1 WHERE id = 1")
# The row is made by the migration; made again if a wholesale delete took it (a missing row reads as 0).
_ENSURE = text("INSERT INTO kept_figures_generation (id, generation) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
_KEPT_DAYS = text("SELECT day, settings FROM kept_figures_days WHERE day BETWEEN :start AND :end")
_ROWS = text("SELECT day, operator_id, line_id, had_pieces, source, time_in, time_out, attended, overtime, "
             "off_standard FROM kept_figures WHERE day IN :days "
             "AND (CAST(:line AS INTEGER) IS NULL OR line_id = :line)").bindparams(bindparam("days", expanding=True))
# The rules of figures.OperatorDayFigures (on_line, attended_day, on_payslip) over kept rows, where had_pieces is
# pieces > 0 and the line is the day's (a change to either forgets the day). The operator-day summaries are joined
# on the days' span too, so that PostgreSQL reads those days' rows by index, not the whole table.
_ON_LINE = "(k.had_pieces OR k.time_in IS NOT NULL)"
_ATTENDED_DAY = "(k.attended > 0 OR k.had_pieces)"
_LINE_DAYS = text(f"""
SELECT k.day, k.line_id, count(*), sum(coalesce(d.earned_minutes, 0)), sum(k.attended), sum(k.off_standard)
FROM kept_figures k LEFT JOIN operator_day d ON d.operator_id = k.operator_id AND d.day = k.day
                          AND d.day BETWEEN :first AND :last
WHERE k.day IN :days AND {_ON_LINE} AND (CAST(:line AS INTEGER) IS NULL OR k.line_id = :line)
GROUP BY k.day, k.line_id""").bindparams(bindparam("days", expanding=True))
_OPERATORS = text(f"""
SELECT a.operator_id, k.line_id, a.last_day, a.days, a.pieces, a.earned, a.earnings, a.attended, a.off_standard,
       a.overtime
FROM (SELECT k.operator_id, max(k.day) AS last_day,
             sum(CASE WHEN {_ATTENDED_DAY} THEN 1 ELSE 0 END) AS days,
             sum(coalesce(d.pieces, 0)) AS pieces, sum(coalesce(d.earned_minutes, 0)) AS earned,
             sum(coalesce(d.earnings_e4, 0)) AS earnings,
             sum(CASE WHEN {_ATTENDED_DAY} THEN k.attended ELSE 0 END) AS attended,
             sum(CASE WHEN {_ATTENDED_DAY} THEN k.off_standard ELSE 0 END) AS off_standard,
             sum(CASE WHEN {_ATTENDED_DAY} THEN k.overtime ELSE 0 END) AS overtime
      FROM kept_figures k LEFT JOIN operator_day d ON d.operator_id = k.operator_id AND d.day = k.day
                                AND d.day BETWEEN :first AND :last
      WHERE k.day IN :days AND (CAST(:line AS INTEGER) IS NULL OR k.line_id = :line)
        AND (d.operator_id IS NOT NULL OR {_ATTENDED_DAY})
      GROUP BY k.operator_id) a
JOIN kept_figures k ON k.operator_id = a.operator_id AND k.day = a.last_day""").bindparams(
    bindparam("days", expanding=True))
_FORGET = text("DELETE FROM kept_figures_days WHERE day BETWEEN :start AND :end")
_FORGET_ALL = text("DELETE FROM kept_figures_days")
_UNLOGGED_DAYS = text("SELECT k.day FROM kept_figures k WHERE k.operator_id = :op AND NOT EXISTS ("
                      "SELECT 1 FROM operator_day d WHERE d.operator_id = k.operator_id AND d.day = k.day "
                      "AND d.line_id IS NOT NULL)")
_DROP_ROWS = text("DELETE FROM kept_figures WHERE day IN :days").bindparams(bindparam("days", expanding=True))
_DROP_DAYS = text("DELETE FROM kept_figures_days WHERE day IN :days").bindparams(bindparam("days", expanding=True))
_INSERT_ROW = text("INSERT INTO kept_figures (day, operator_id, line_id, had_pieces, source, time_in, time_out, "
                   "attended, overtime, off_standard) VALUES (:day, :operator_id, :line_id, :had_pieces, :source, "
                   ":time_in, :time_out, :attended, :overtime, :off_standard)")
_INSERT_DAY = text("INSERT INTO kept_figures_days (day, settings, kept_at) VALUES (:day, :settings, :kept_at)")


class Kept(NamedTuple):
    """One operator's kept figures of a closed day."""
    line_id: int | None
    had_pieces: bool
    source: str
    time_in: datetime | None
    time_out: datetime | None
    attended: int
    overtime: int
    off_standard: int


def settings() -> str:
    cfg = current_app.config
    return "|".join(str(cfg.get(k) or "") for k in _SETTINGS)


def generation() -> int:
    """Read before working out figures to keep (keep checks it is unchanged)."""
    return int(db.session.execute(_GENERATION).scalar() or 0)


def closed(cal: Calendar, day: date, now_local: datetime) -> bool:
    """Before today, and every line's day of it over (the calendar holds every line's shifts and overtime)."""
    if day >= now_local.date():
        return False
    lines = {None, *cal.shifts, *(line for line, d in cal.overtime if d == day)}
    ends = [cal.line_day(line, day).end for line in lines]
    return all(end is None or end <= now_local for end in ends)


def usable_days(start: date, end: date) -> list[date]:
    """The days from start to end kept under today's settings."""
    mine = settings()
    return sorted(clock.as_date(d) for d, s in db.session.execute(_KEPT_DAYS, {"start": start, "end": end})
                  if s == mine)


def read(days: list[date], line_id: int | None = None) -> dict[tuple[int, date], Kept]:
    """The kept rows of these days (usable_days), one line's or all, by (operator, day)."""
    return {(op, clock.as_date(day)): Kept(line, bool(had), source, clock.as_datetime(t_in),
                                           clock.as_datetime(t_out), attended, overtime, off)
            for day, op, line, had, source, t_in, t_out, attended, overtime, off
            in db.session.execute(_ROWS, {"days": days, "line": line_id}).all()}


def line_day_totals(days: list[date], line_id: int | None = None) -> list[tuple]:
    """(day, line, operators, earned, attended, off-standard) of these days (usable_days): each line's operators
    on it (on_line)."""
    return [(clock.as_date(d), *rest) for d, *rest in
            db.session.execute(_LINE_DAYS, {"days": days, "first": days[0], "last": days[-1],
                                            "line": line_id}).all()]


def operator_totals(days: list[date], line_id: int | None = None) -> list[tuple]:
    """(operator, line of the latest day, latest day, days attended, pieces, earned minutes, pay in
    ten-thousandths, attended, off-standard, overtime) of these days (usable_days), each operator on a payslip."""
    return [(op, line, clock.as_date(last), *rest) for op, line, last, *rest in
            db.session.execute(_OPERATORS, {"days": days, "first": days[0], "last": days[-1],
                                            "line": line_id}).all()]


def keep(seen_generation: int, days: dict[date, list]) -> bool:
    """Keep the figures worked out for closed days (rows with operator_id, line_id, pieces, source, time_in,
    time_out, attended, overtime, off_standard), unless a change forgot figures since seen_generation was read.
    On its own connection, committed at once (the worker's session only reads)."""
    if not days:
        return False
    mine, now = settings(), clock.utcnow()
    with side_transaction() as conn:
        lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
        conn.execute(_ENSURE)
        if conn.execute(text(_GENERATION.text + lock)).scalar() != seen_generation:
            return False
        listed = sorted(days)
        conn.execute(_DROP_ROWS, {"days": listed})
        conn.execute(_DROP_DAYS, {"days": listed})
        rows = [{"day": d, "operator_id": f.operator_id, "line_id": f.line_id, "had_pieces": f.pieces > 0,
                 "source": f.source, "time_in": f.time_in, "time_out": f.time_out, "attended": int(f.attended),
                 "overtime": int(f.overtime), "off_standard": int(f.off_standard)}
                for d in listed for f in days[d]]
        if rows:
            conn.execute(_INSERT_ROW, rows)
        conn.execute(_INSERT_DAY, [{"day": d, "settings": mine, "kept_at": now} for d in listed])
    return True


def forget(first: date, last: date | None = None) -> None:
    """In a change's transaction: the kept figures of the days first..last are worked out again when next asked
    (today's are never kept: nothing to do for them)."""
    last = min(last or first, clock.local_today() - timedelta(days=1))
    if first > last:
        return
    db.session.execute(_FORGET, {"start": first, "end": last})
    _bump()


def forget_operator(operator_id: int) -> None:
    """In the transaction that moves an operator to another line: their kept days without logged work (those
    count on the line the operator is on) are worked out again."""
    days = [clock.as_date(d) for (d,) in db.session.execute(_UNLOGGED_DAYS, {"op": operator_id})]
    if days:
        db.session.execute(_DROP_DAYS, {"days": days})
        _bump()


def forget_all() -> None:
    """In a change's transaction that alters every day (a shift saved or deleted)."""
    db.session.execute(_FORGET_ALL)
    _bump()


def _bump() -> None:
    db.session.execute(_ENSURE)
    db.session.execute(_BUMP)
