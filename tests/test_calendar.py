"""The shift calendar: shifts per line with paid and unpaid breaks, two-shift lines, holidays, overtime only
inside an approved window; the board follows it; the manager edits it (audited, each form saved once)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from shopfloor import clock
from shopfloor.attendance import figures, services
from shopfloor.auth.services import badge_payload
from shopfloor.board import queries as board_queries
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, Holiday, OvertimeWindow, Shift
from shopfloor.shifts import calendar
from tests.conftest import login
from tests.html_forms import count, form_for
from tests.test_submit_once import assert_told_saved, twice
from tests.time_helpers import at, clock_in_out, holiday, overtime, shift, yesterday


def test_no_calendar_keeps_the_planned_shift_of_the_settings(factory):
    line = factory.line()
    ld = calendar.line_day(line.id, yesterday())
    assert not ld.configured and [(s.span.start.time(), s.span.end.time()) for s in ld.shifts] == [(time(8), time(16))]
    assert ld.planned_minutes == 480


def test_paid_break_counts_unpaid_does_not(factory):
    line = factory.line()
    shift(line, "08:00", "17:00", breaks=[("10:00", 15, True), ("12:30", 45, False)])
    ld = calendar.line_day(line.id, yesterday())
    # 9 h = 540 min, the unpaid 45 left out -> 495; the paid 15 counted
    assert ld.planned_minutes == 495
    d = yesterday()
    assert ld.attended_minutes(at_local(d, 8, 0), at_local(d, 12, 45)) == 4 * 60 + 45 - 15   # into the lunch
    assert ld.attended_minutes(at_local(d, 7, 30), at_local(d, 8, 30)) == 30                # before the shift


def at_local(day, hh, mm):
    return datetime.combine(day, time(hh, mm))


def test_two_shift_line_on_the_board(factory):
    # Shift 1 06:00-14:00 with an unpaid 30 min at 10:00; shift 2 14:00-22:00 with a paid 15 min at 18:00.
    line = factory.line()
    shift(line, "06:00", "14:00", number=1, breaks=[("10:00", 30, False)])
    shift(line, "14:00", "22:00", number=2, breaks=[("18:00", 15, True)])
    other = factory.line()                                     # no calendar: the planned 08:00-16:00
    today = clock.local_today()
    board = board_queries.board(now_utc=at(today, 20, 0))
    lb = next(x for x in board.lines if x.id == line.id)
    assert [(n, s.strftime("%H:%M"), e.strftime("%H:%M")) for n, s, e in lb.shifts] == [
        (1, "06:00", "14:00"), (2, "14:00", "22:00")]
    # 06:00-20:00 = 840 min less the unpaid 30 = 810 minutes worked so far
    assert lb.minutes_worked == 810
    # every line charts the same hours: 06 .. 21 (both shifts)
    assert [h.hour for h in lb.hours] == list(range(6, 22))
    assert [h.hour for h in next(x for x in board.lines if x.id == other.id).hours] == list(range(6, 22))


def test_board_page_shows_both_shifts(client, factory):
    line = factory.line()
    shift(line, "06:00", "14:00", number=1)
    shift(line, "14:00", "22:00", number=2)
    login(client, factory.user("supervisor", line=line))
    page = client.get("/board")
    assert 'data-shifts="2">06:00–14:00 · 14:00–22:00<' in page.text
    assert 'data-kpi="on-standard"' in page.text


def test_holiday_counts_only_approved_overtime(factory):
    line, style, order, op = factory.floor()
    shift(line, "08:00", "16:00")
    day = yesterday()
    holiday(day)
    clock_in_out(op, day, (8, 0), (16, 0))
    (f,) = figures.operator_days(day, day, off_standard={})
    assert f.attended == 0                                     # a holiday: no shift
    assert calendar.line_day(line.id, day).holiday == "Victory Day"
    overtime(line, day, "09:00", "12:00")
    (f,) = figures.operator_days(day, day, off_standard={})
    assert f.attended == 180                                   # only the approved 09:00-12:00


def test_overtime_outside_an_approved_window_is_not_counted(factory):
    line, style, order, op = factory.floor()
    shift(line, "08:00", "16:00")
    day = yesterday()
    overtime(line, day, "16:00", "18:00")
    clock_in_out(op, day, (7, 40), (19, 30))
    (f,) = figures.operator_days(day, day, off_standard={})
    # 08:00-16:00 (480) + approved 16:00-18:00 (120); 07:40-08:00 and 18:00-19:30 are not counted
    assert f.attended == 600


def test_a_shift_runs_only_on_its_weekdays(factory):
    line = factory.line()
    day = yesterday()
    shift(line, "08:00", "16:00", weekdays="".join(str(d) for d in range(7) if d != day.weekday()))
    ld = calendar.line_day(line.id, day)
    assert ld.configured and ld.shifts == () and ld.planned_minutes == 0


def test_night_shift_runs_past_midnight(factory):
    line, style, order, op = factory.floor()
    shift(line, "22:00", "06:00", breaks=[("02:00", 30, False)])
    day = yesterday() - timedelta(days=1)
    clock_in_out(op, day, (21, 55))
    out = services.punch(badge_payload(op), now=at(day + timedelta(days=1), 6, 5))
    assert out.kind == "out"                                   # closes the stay opened the evening before
    (f,) = figures.operator_days(day, day, off_standard={})
    assert f.attended == 8 * 60 - 30


# --- the manager's calendar page --------------------------------------------------------------------

def test_manager_saves_a_two_shift_pattern_once_and_it_is_audited(client, factory):
    line = factory.line()
    manager = factory.user("manager")
    login(client, manager)
    first, second = twice(client, "/calendar", f"/calendar/line/{line.id}/shift/1", start="06:00", end="14:00",
                          break0_start="10:00", break0_minutes="30",
                          weekday=list("012345"))   # (the form's checked boxes: Form.data keeps one per name)
    assert_told_saved(first, second)
    assert "Shift saved." in first.text
    (s,) = db.session.scalars(select(Shift)).all()
    assert (s.line_id, s.number, s.starts_at, s.ends_at, s.weekdays) == (line.id, 1, time(6), time(14), "012345")
    assert [(b.starts_at, b.minutes, b.paid) for b in s.breaks] == [(time(10), 30, False)]
    assert count(AuditEntry, AuditEntry.action == "shift_save") == 1
    page = client.get("/calendar").text
    assert 'value="06:00"' in page and 'value="10:00"' in page


def test_shift_refused_when_a_break_lies_outside_or_shifts_overlap(client, factory):
    line = factory.line()
    shift(line, "06:00", "14:00", number=1)
    login(client, factory.user("manager"))
    html = client.get("/calendar").text
    form = form_for(html, f"/calendar/line/{line.id}/shift/1")
    outside = client.post(f"/calendar/line/{line.id}/shift/1", data=form.data(start="06:00", end="14:00", break0_start="13:50",
                                                            break0_minutes="30"))
    assert outside.status_code == 422 and "Breaks must lie inside the shift" in outside.text
    overlap = client.post(f"/calendar/line/{line.id}/shift/2", data={"start": "13:00", "end": "21:00",
                                                                    "weekday": ["0", "1"]})
    assert overlap.status_code == 422 and "The line&#39;s two shifts overlap." in overlap.text
    assert count(Shift) == 1


def test_holiday_and_overtime_forms_save_once(client, factory):
    line = factory.line()
    login(client, factory.user("manager"))
    day = clock.local_today().isoformat()
    first, second = twice(client, "/calendar", "/calendar/holiday", day=day, name="Victory Day")
    assert_told_saved(first, second)
    assert count(Holiday) == 1 and "Victory Day" in first.text
    first, second = twice(client, "/calendar", "/calendar/overtime", day=day, start="16:00", end="18:00")
    assert_told_saved(first, second)
    (w,) = db.session.scalars(select(OvertimeWindow)).all()
    assert (w.line_id, w.starts_at, w.ends_at) == (line.id, time(16), time(18))
    assert count(AuditEntry, AuditEntry.action.in_(["holiday_add", "overtime_approve"])) == 2


def test_calendar_is_the_managers(client, factory):
    login(client, factory.user("supervisor"))
    assert client.get("/calendar").status_code == 403


def test_removing_a_holiday_overtime_or_shift_sent_twice_removes_once(client, factory):
    line = factory.line()
    day = clock.local_today()
    holiday(day)
    overtime(line, day, "16:00", "18:00")
    s = shift(line, "08:00", "16:00")
    login(client, factory.user("manager"))
    h_id = db.session.scalar(select(Holiday.id))
    w_id = db.session.scalar(select(OvertimeWindow.id))
    for action, model in ((f"/calendar/holiday/{h_id}/delete", Holiday),
                          (f"/calendar/overtime/{w_id}/delete", OvertimeWindow),
                          (f"/calendar/shift/{s.id}/delete", Shift)):
        first, second = twice(client, "/calendar", action)
        assert_told_saved(first, second)
        assert count(model) == 0
    assert count(AuditEntry, AuditEntry.action.in_(["holiday_delete", "overtime_delete", "shift_delete"])) == 3
    assert "(planned shift of the settings)" in client.get("/calendar").text
