"""Closed days' attendance figures kept by the background worker (attendance/kept.py, keeper.py): read back
instead of worked out again, and never different from working them out: every change that can alter a closed day
forgets it, and a day whose ledger summaries moved is worked out again. On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select, text

from shopfloor import clock
from shopfloor.attendance import figures, kept, keeper
from shopfloor.attendance import services as attendance
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Bundle, KeptFigures, KeptFiguresDay, WorkLog
from shopfloor.scan.services import record_scan
from shopfloor.shifts import services as shifts
from shopfloor.stoppages import services as stops
from shopfloor.supervise import services as supervise
from shopfloor.vocabulary import StopReason, StopScope
from tests.conftest import login
from tests.time_helpers import at, clock_in_out, shift


def _seen(rows):
    return [(f.operator_id, f.day, f.line_id, f.pieces, f.attended, f.overtime, f.off_standard, f.source, f.time_in,
             f.time_out, f.earned_minutes, f.earnings_e4, f.logged) for f in rows]


@pytest.fixture()
def floor(factory):
    """A line on 08:00-16:30 with an unpaid lunch, another on 07:00-15:00 without; four closed days (5 to 2 days
    ago) in which Amina clocks in and sews, Bilal clocks in and sews nothing, and Chandra sews without clocking in
    (the planned day stands in); yesterday nobody came."""
    line, other = factory.line(), factory.line()
    shift(line, "08:00", "16:30", breaks=[("12:00", 30, False)])
    shift(other, "07:00", "15:00")
    style = factory.style(sams=(10.0,))
    order = factory.order(style=style, line=line, qty={("S", "Blue"): 400})
    amina = factory.user("operator", line=line, name="Amina Islam")
    bilal = factory.user("operator", line=line, name="Bilal Khan")
    chandra = factory.user("operator", line=line, name="Chandra Das")
    bundles = iter(db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all())
    today = clock.local_today()
    days = [today - timedelta(days=n) for n in (5, 4, 3, 2)]
    for d in days:
        clock_in_out(amina, d, (8, 0), (16, 0))
        clock_in_out(bilal, d, (9, 0), (15, 0))
        for who, hour in ((amina, 10), (chandra, 11)):
            b = next(bundles)
            record_scan(operator_id=who.id, operator_line_id=line.id, bundle_ref=b.code,
                        operation_id=style.operations[0].id, qty=b.pieces, now=at(d, hour))
    return dict(line=line, other=other, amina=amina, bilal=bilal, chandra=chandra, days=days, today=today,
                closed=clock.days(days[0], today - timedelta(days=1)),
                boss=factory.user("supervisor", line=line), manager=factory.user("manager"))


def _read(floor):
    return figures.operator_days(floor["days"][0], floor["today"])


def _worked_out(floor):
    return figures.worked_out(floor["days"][0], floor["today"])


def _period(floor, line_id=None):
    """The period's sums as the review reads them (kept days summed in SQL), and as the same rules give them over
    every day worked out (figures.Period.add)."""
    p = figures.period(floor["days"][0], floor["today"], line_id)
    truth = figures.Period()
    for f in figures.worked_out(floor["days"][0], floor["today"], line_id=line_id):
        truth.add(f)
    return p, truth


def _kept_days():
    db.session.rollback()
    return sorted(db.session.scalars(select(KeptFiguresDay.day)))


def _keep():
    done = keeper.keep_closed_days()
    db.session.rollback()
    return done


def test_closed_days_are_kept_and_read_back_today_never(app, floor):
    first = _read(floor)
    assert _seen(first) == _seen(_worked_out(floor))
    assert _kept_days() == []                     # a page only reads
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert _kept_days() == floor["closed"]        # every closed day, yesterday's empty
    assert _keep() == 0                           # nothing left to keep
    assert _seen(_read(floor)) == _seen(first)
    summed, worked = _period(floor)
    assert summed == worked and len(summed.operators) == 3 and len(summed.line_days) == 4
    assert {f.source for f in first if f.day < floor["today"]} == {"clock", "planned"}
    # Read back from what was kept: a kept row changed by hand shows, so the second read did not work it out.
    d, amina = floor["days"][1], floor["amina"]
    with write_transaction():
        db.session.execute(text("UPDATE kept_figures SET attended = 1 WHERE day = :d AND operator_id = :op"),
                           {"d": d, "op": amina.id})
    again = {(f.operator_id, f.day): f for f in _read(floor)}
    assert again[(amina.id, d)].attended == 1
    assert again[(amina.id, floor["days"][0])].attended == 450


def _correct(floor):
    attendance.correct(floor["amina"].id, floor["days"][1], time_in=time(8), time_out=time(12), reason="left early",
                       by_user_id=floor["boss"].id)


def _overtime(floor):
    shifts.approve_overtime(line_id=floor["line"].id, day=floor["days"][1], starts_at=time(16, 30),
                            ends_at=time(18), by_user_id=floor["manager"].id)
    attendance.correct(floor["bilal"].id, floor["days"][2], time_in=time(9), time_out=time(17, 30),
                       reason="stayed on", by_user_id=floor["boss"].id)


def _holiday(floor):
    shifts.add_holiday(day=floor["days"][1], name="Victory Day", by_user_id=floor["manager"].id)


def _shift(floor):
    shifts.save_shift(line_id=floor["line"].id, number=1, starts_at=time(7), ends_at=time(15), weekdays="0123456",
                      breaks=[], by_user_id=floor["manager"].id)


def _stop(floor):
    d = floor["days"][1]
    s = stops.raise_stop(floor["boss"], scope=StopScope.LINE, reason=StopReason.BREAKDOWN, line_id=floor["line"].id,
                         now=at(d, 10))
    _keep()   # kept with the stop open (to the end of the stays)...
    stops.close(s.id, floor["boss"], now=at(d, 11))   # ...then closed after an hour


def _reversal(floor):
    # Chandra's only entry of a day taken back: no pieces, so no planned day stands in any more.
    d = floor["days"][1]
    s, e = clock.local_day_bounds_utc(d)
    log_id = db.session.scalar(select(WorkLog.id).where(WorkLog.operator_id == floor["chandra"].id,
                                                        WorkLog.created_at >= s, WorkLog.created_at < e))
    supervise.correct(log_id, supervisor_id=floor["boss"].id, reason="wrong operator")


def _moved(floor):
    # Bilal logged nothing: his days count on the line he is on now, by its shift (no unpaid lunch there).
    supervise.assign(floor["bilal"].id, line_id=floor["other"].id, operation_id=None, actor_id=floor["boss"].id)


@pytest.mark.parametrize("change", [_correct, _overtime, _holiday, _shift, _stop, _reversal, _moved],
                         ids=lambda f: f.__name__.strip("_"))
def test_a_change_to_a_kept_day_is_never_read_stale(floor, change):
    _keep()
    before = _seen(_read(floor))
    assert _kept_days() == floor["closed"]
    change(floor)
    db.session.rollback()
    after, truth = _seen(_read(floor)), _seen(_worked_out(floor))
    assert after == truth
    assert after != before     # the change did move the figures
    assert _kept_days() != floor["closed"]   # the change forgot what it moved...
    assert _keep() >= 1                      # ...and the worker keeps it again
    assert _kept_days() == floor["closed"]
    assert _seen(_read(floor)) == truth
    for line in (None, floor["line"].id, floor["other"].id):
        summed, worked = _period(floor, line)
        assert summed == worked


def test_figures_worked_out_before_a_change_are_not_kept(floor):
    seen = kept.generation()
    stale = figures.worked_out(floor["days"][0], floor["days"][-1])
    _correct(floor)     # committed while the page was working out
    assert kept.keep(seen, {d: [f for f in stale if f.day == d] for d in floor["days"]}) is False
    assert _kept_days() == []
    assert _seen(_read(floor)) == _seen(_worked_out(floor))


def test_figures_kept_under_other_settings_are_worked_out_again(app, floor):
    _keep()
    before, app.config["ATTENDANCE_SOURCE"] = app.config["ATTENDANCE_SOURCE"], "first-last-scan"
    try:
        assert _seen(_read(floor)) == _seen(_worked_out(floor))
        assert {f.source for f in _read(floor) if f.operator_id == floor["chandra"].id} == {"scans"}
        assert _keep() == len(floor["closed"])     # kept again under these settings
        assert _seen(_read(floor)) == _seen(_worked_out(floor))
    finally:
        app.config["ATTENDANCE_SOURCE"] = before
    assert _seen(_read(floor)) == _seen(_worked_out(floor))


def test_payslips_are_the_same_worked_out_or_kept(client, floor):
    login(client, floor["manager"])
    q = {"start": floor["days"][0].isoformat(), "end": floor["days"][-1].isoformat()}
    first = client.get("/review/export/payslips.csv", query_string=q).get_data(as_text=True)
    _keep()
    assert db.session.scalar(select(db.func.count()).select_from(KeptFigures)
                             .where(KeptFigures.day.in_(floor["days"]))) == 12
    second = client.get("/review/export/payslips.csv", query_string=q).get_data(as_text=True)
    assert second == first and "Amina Islam" in first and "Chandra Das" in first
