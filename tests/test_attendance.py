"""Attendance: clock in and out by badge at the gate, the first and last scan standing in where a factory does
not clock, who is present / late / absent / gone per line, corrections with a reason (audited, the scanned
times kept), each form saved once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from shopfloor import clock
from shopfloor.attendance import figures, queries, services
from shopfloor.auth.services import badge_payload
from shopfloor.config import Config
from shopfloor.extensions import db
from shopfloor.models import Attendance, AttendanceCorrection, AuditEntry, Bundle
from shopfloor.scan.services import record_scan
from shopfloor.vocabulary import Presence
from tests.conftest import login
from tests.html_forms import count, form_for
from tests.test_submit_once import assert_told_saved, twice
from tests.time_helpers import at, clock_in_out, shift, yesterday


def test_badge_clocks_in_then_out_and_a_double_read_changes_nothing(factory):
    line, style, order, op = factory.floor()
    day = yesterday()
    first = services.punch(badge_payload(op), now=at(day, 7, 58))
    again = services.punch(badge_payload(op), now=at(day, 7, 59))      # the scanner read the badge twice
    out = services.punch(badge_payload(op), now=at(day, 16, 2))
    assert (first.kind, again.kind, out.kind) == ("in", "repeated", "out")
    (a,) = db.session.scalars(select(Attendance)).all()
    assert (a.day, a.clock_in, a.clock_out, a.corrected) == (day, at(day, 7, 58), at(day, 16, 2), False)


def test_gate_page_answers_big_and_translated(client, factory):
    line, style, order, op = factory.floor()
    factory.update(op, name="Amina Islam")
    login(client, factory.user("supervisor", line=line))
    page = client.get("/gate")
    assert page.status_code == 200 and "Scan your badge to clock in or out." in page.text
    assert "js/reader" in page.text and "js/gate" in page.text
    assert "wasm-unsafe-eval" in page.headers["Content-Security-Policy"]     # the camera's barcode polyfill
    form = form_for(page.text, "/gate/punch")
    answer = client.post("/gate/punch", data=form.data(badge=badge_payload(op)), headers={"HX-Request": "true"})
    now = clock.utcnow()
    assert answer.status_code == 200 and answer.text.lstrip().startswith('<div id="gate"')
    assert 'data-punch="in"' in answer.text and "Clocked in " in answer.text and "— Amina Islam" in answer.text
    assert clock.to_local(now).strftime("%H:") in answer.text
    assert count(Attendance, Attendance.operator_id == op.id) == 1
    forged = client.post("/gate/punch", data=form_for(answer.text, "/gate/punch").data(badge=op.badge_code + ".xx"),
                         headers={"HX-Request": "true"})
    assert forged.status_code == 401 and "This badge is not valid." in forged.text and 'role="alert"' in forged.text


def test_gate_form_sent_twice_clocks_once(client, factory):
    line, style, order, op = factory.floor()
    login(client, factory.user("supervisor", line=line))
    first, second = twice(client, "/gate", "/gate/punch", badge=badge_payload(op))
    assert_told_saved(first, second)
    (a,) = db.session.scalars(select(Attendance)).all()
    assert a.clock_in is not None and a.clock_out is None             # in, not in-and-out


def test_only_operators_clock_and_the_gate_is_staffed(client, factory):
    line, style, order, op = factory.floor()
    qc = factory.user("qc", line=line)
    factory.update(qc, badge_code="QC1")
    login(client, factory.user("supervisor", line=line))
    refused = client.post("/gate/punch", data={"badge": badge_payload(qc)})
    assert refused.status_code == 422 and "Only operators clock in at the gate." in refused.text
    assert count(Attendance) == 0
    login(client, op)
    assert client.get("/gate").status_code == 403


def test_first_and_last_scan_stand_in_when_the_factory_does_not_clock(factory, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "ATTENDANCE_SOURCE", "first-last-scan")
    line, style, order, op = factory.floor()
    day = yesterday()
    b1, b2 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()
    for b, (hh, mm) in ((b1, (8, 5)), (b2, (15, 40))):
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b.code,
                    operation_id=style.operations[0].id, qty=10, now=at(day, hh, mm))
    (f,) = figures.operator_days(day, day, off_standard={})
    # the planned 08:00-16:00 (no calendar): 08:05 to 15:40 = 455 minutes; earned 20 x 0.5 = 10
    assert (f.source, f.attended, f.earned) == ("scans", 455, 10.0)
    assert round(f.figures.overall, 1) == round(10 * 100 / 455, 1)
    # with the clock, the same day without a record falls back to the planned shift
    monkeypatch.setitem(ctx.config, "ATTENDANCE_SOURCE", "clock")
    (f,) = figures.operator_days(day, day, off_standard={})
    assert (f.source, f.attended) == ("planned", 480)


def test_present_late_absent_and_left_per_line(client, factory):
    line, style, order, on_time = factory.floor()
    shift(line, "08:00", "16:00")
    late, absent, gone = (factory.user("operator", line=line, name=n) for n in ("Late Lina", "Absent Arif", "Gone Rupa"))
    today = clock.local_today()
    clock_in_out(on_time, today, (7, 55))
    clock_in_out(late, today, (8, 20))
    clock_in_out(gone, today, (7, 50), (8, 40))
    (lp,) = queries.presence(today, line.id, now_utc=at(today, 9, 0))
    status = {r.name: r.status for r in lp.rows}
    assert status == {on_time.name: Presence.PRESENT, "Late Lina": Presence.LATE, "Absent Arif": Presence.ABSENT,
                      "Gone Rupa": Presence.LEFT}
    assert [lp.count(s) for s in Presence] == [0, 1, 1, 1, 1, 0]
    # before the shift starts nobody is absent yet
    (early,) = queries.presence(today, line.id, now_utc=at(today, 7, 30))
    assert {r.name: r.status for r in early.rows}["Absent Arif"] == Presence.EXPECTED


def test_presence_page_lists_each_line(client, factory):
    line, style, order, op = factory.floor()
    shift(line, "00:00", "23:59")
    clock_in_out(op, clock.local_today(), (0, 0))
    login(client, factory.user("supervisor", line=line))
    page = client.get("/attendance")
    assert page.status_code == 200 and line.name in page.text
    assert f'data-operator="{op.id}" data-status="present"' in page.text and ">Present<" in page.text


def test_correction_keeps_the_scanned_times_and_is_audited(client, factory):
    line, style, order, op = factory.floor()
    sup = factory.user("supervisor", line=line)
    today = clock.local_today()
    clock_in_out(op, today, (0, 0))
    login(client, sup)
    first, second = twice(client, "/attendance", f"/attendance/correct/{op.id}", time_in="00:00", time_out="00:30",
                          reason="Forgot to clock out")
    assert_told_saved(first, second)
    assert "Attendance corrected." in first.text
    (a,) = db.session.scalars(select(Attendance)).all()
    assert a.clock_in == at(today, 0, 0) and a.clock_out is None        # as scanned
    assert a.corrected and a.time_out == at(today, 0, 30)
    (c,) = db.session.scalars(select(AttendanceCorrection)).all()
    assert (c.before_in, c.before_out, c.after_out, c.reason, c.by_id) == (
        at(today, 0, 0), None, at(today, 0, 30), "Forgot to clock out", sup.id)
    (audit,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attendance_correct")).all()
    assert audit.actor_id == sup.id and "Forgot to clock out" in audit.details and "00:00-— -> 00:00-00:30" in audit.details
    assert f'data-correction="{c.id}"' in first.text and "Forgot to clock out" in first.text
    # a second correction adds to the trail, never replaces it
    services.correct(op.id, today, time_in=None, time_out=None, reason="Was on leave", by_user_id=sup.id)
    assert count(AttendanceCorrection) == 2 and db.session.get(Attendance, a.id).time_in is None


def test_correction_needs_a_reason_and_changes_nothing_without_one(client, factory):
    line, style, order, op = factory.floor()
    login(client, factory.user("supervisor", line=line))
    refused = client.post(f"/attendance/correct/{op.id}", data={"time_in": "08:00", "reason": "x"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Give a reason for the correction." in refused.text
    assert refused.text.lstrip().startswith('<div id="presence"')
    bad_time = client.post(f"/attendance/correct/{op.id}", data={"time_in": "25:00", "reason": "typo"})
    assert bad_time.status_code == 422 and "Times must be real times (HH:MM)." in bad_time.text
    assert count(Attendance) == 0 and count(AttendanceCorrection) == 0


def test_forgotten_clock_out_on_a_past_day_counts_to_the_end_of_the_shift(factory):
    line, style, order, op = factory.floor()
    shift(line, "08:00", "16:00", breaks=[("12:00", 30, False)])
    day = yesterday()
    clock_in_out(op, day, (8, 0))
    (f,) = figures.operator_days(day, day, off_standard={})
    assert f.attended == 450 and f.time_out is None
    assert day + timedelta(days=1) == clock.local_today()


def test_a_past_day_is_shown_and_corrected_from_its_own_page(client, factory):
    line, style, order, op = factory.floor()
    shift(line, "08:00", "16:00", breaks=[("12:00", 30, False)])
    day = yesterday()
    clock_in_out(op, day, (8, 0))                                       # forgot to clock out
    login(client, factory.user("supervisor", line=line))
    page = client.get("/attendance", query_string={"day": day.isoformat()})
    assert f'data-operator="{op.id}" data-status="present"' in page.text
    first, second = twice(client, f"/attendance?day={day.isoformat()}", f"/attendance/correct/{op.id}",
                          time_in="08:00", time_out="14:00", reason="Left early, sick")
    assert_told_saved(first, second)
    (a,) = db.session.scalars(select(Attendance)).all()
    assert a.day == day and a.time_out == at(day, 14, 0) and a.clock_out is None
    (f,) = figures.operator_days(day, day, off_standard={})
    assert (f.source, f.attended) == ("correction", 6 * 60 - 30)
    assert f'data-operator="{op.id}" data-status="left"' in first.text


def test_attendance_source_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPFLOOR_ATTENDANCE_SOURCE", "first-last-scan")
    monkeypatch.setenv("SHOPFLOOR_LATE_AFTER_MINUTES", "10")
    cfg = Config.from_env(tmp_path)
    assert (cfg.ATTENDANCE_SOURCE, cfg.LATE_AFTER_MINUTES) == ("first-last-scan", 10)
    monkeypatch.setenv("SHOPFLOOR_ATTENDANCE_SOURCE", "badge")
    with pytest.raises(ValueError, match="SHOPFLOOR_ATTENDANCE_SOURCE"):
        Config.from_env(tmp_path)


def test_on_a_line_s_rest_day_nobody_is_expected_or_absent(factory):
    """A line whose shift runs Monday to Saturday: on Sunday its operators have no shift (not 'expected' or
    'absent' all day)."""
    from shopfloor.attendance import queries as presence_queries
    from shopfloor.vocabulary import Presence
    line = factory.line()
    op = factory.user("operator", line=line)
    shift(line, "08:00", "16:00", weekdays="012345")
    today = clock.local_today()
    sunday = today - timedelta(days=(today.weekday() - 6) % 7)
    (lp,) = [p for p in presence_queries.presence(sunday, line.id, now_utc=at(sunday, 12)) if p.id == line.id]
    assert [(r.id, r.status) for r in lp.rows] == [(op.id, Presence.OFF)]
    monday = sunday + timedelta(days=1)
    (lp,) = [p for p in presence_queries.presence(monday, line.id, now_utc=at(monday, 12)) if p.id == line.id]
    assert [(r.id, r.status) for r in lp.rows] == [(op.id, Presence.ABSENT)]


def test_a_past_days_corrections_are_headed_with_the_date_in_the_readers_language(client, factory):
    line = factory.line()
    login(client, factory.user("supervisor", line=line))
    day = clock.local_today() - timedelta(days=3)
    page = client.get(f"/attendance?day={day.isoformat()}")
    assert page.status_code == 200
    assert f"Corrections on {format_date(day, format='medium', locale='en')}" in page.text
    assert day.strftime("%d/%m/%Y") not in page.text
