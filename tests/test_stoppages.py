"""Stoppages (andon): the rules of raising, acknowledging and closing, the routes by role, a double submit,
and the approved off-standard minutes per operator (hand-computed)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import AuditEntry
from shopfloor.models.stoppages import Stoppage
from shopfloor.stoppages import queries, services
from shopfloor.vocabulary import OFF_STANDARD_REASONS, StopReason, StopScope, StopStatus
from tests.conftest import login
from tests.html_forms import SAVED, form_for, send


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """Naive UTC of a factory-local time."""
    return datetime.combine(day, time(hh, mm, ss), tzinfo=clock.factory_tz()).astimezone(timezone.utc) \
        .replace(tzinfo=None)


def today_at(hh: int, mm: int = 0) -> datetime:
    return at(clock.local_today(), hh, mm)


def stops() -> list[Stoppage]:
    db.session.expire_all()
    return list(db.session.scalars(select(Stoppage).order_by(Stoppage.id)))


def add_stop(*, scope, line, reason, start, end=None, operator=None, machine=None, by):
    """A stop as stored (set-up for the figures, without the raise rules)."""
    with write_transaction():
        s = Stoppage(scope=scope, line_id=line.id, operator_id=operator.id if operator else None, machine=machine,
                     reason=reason, note="", status=StopStatus.CLOSED if end else StopStatus.OPEN,
                     open_key=None if end else services.open_key(scope, line.id, operator.id if operator else None,
                                                                 machine),
                     started_at=start, ended_at=end, raised_by_id=by.id)
        db.session.add(s)
    return s


@pytest.fixture()
def floor(factory):
    line = factory.line()
    op = factory.user("operator", line=line)
    sup = factory.user("supervisor")
    return line, op, sup


def test_reason_catalogue_and_off_standard():
    assert {r.value for r in OFF_STANDARD_REASONS} == {"breakdown", "no_work", "quality", "power", "meeting"}
    assert not StopReason.NEEDLE_THREAD.off_standard and not StopReason.OTHER.off_standard
    assert StopReason.POWER.off_standard


def test_operator_raises_own_stop_once_per_scope(floor):
    line, op, sup = floor
    stop = services.raise_stop(op, scope=StopScope.OPERATOR, reason=StopReason.BREAKDOWN, machine="M-07",
                               note="motor")
    assert (stop.scope, stop.line_id, stop.operator_id, stop.machine, stop.status) == \
        (StopScope.OPERATOR, line.id, op.id, "M-07", StopStatus.OPEN)
    assert stop.open_key == f"operator:{op.id}"
    with pytest.raises(DomainError) as e:
        services.raise_stop(op, scope=StopScope.OPERATOR, reason=StopReason.POWER)
    assert e.value.status == 409 and "already an open stop" in e.value.message
    # a supervisor raising for the same operator meets the same rule
    with pytest.raises(DomainError):
        services.raise_stop(sup, scope=StopScope.OPERATOR, operator_id=op.id, reason=StopReason.MEETING)
    assert len(stops()) == 1
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == services.STOP_RAISE)).all()
    assert len(audit) == 1 and audit[0].actor_id == op.id and audit[0].target == f"stoppage {stop.id}"


def test_operator_stops_only_own_work_from_now(floor, factory):
    line, op, sup = floor
    other = factory.user("operator", line=line)
    for kw in (dict(scope=StopScope.LINE, line_id=line.id), dict(scope=StopScope.OPERATOR, operator_id=other.id)):
        with pytest.raises(DomainError) as e:
            services.raise_stop(op, reason=StopReason.POWER, **kw)
        assert e.value.status == 403
    with pytest.raises(DomainError, match="Only a supervisor"):
        services.raise_stop(op, scope=StopScope.OPERATOR, reason=StopReason.POWER, started=time(8, 0))
    assert stops() == []


def test_scopes_are_separate_and_machine_needs_its_number(floor):
    line, op, sup = floor
    with pytest.raises(DomainError, match="machine's number"):
        services.raise_stop(sup, scope=StopScope.MACHINE, line_id=line.id, reason=StopReason.BREAKDOWN)
    with pytest.raises(DomainError, match="Choose the line"):
        services.raise_stop(sup, scope=StopScope.LINE, line_id=None, reason=StopReason.POWER)
    services.raise_stop(sup, scope=StopScope.MACHINE, line_id=line.id, machine="M-1", reason=StopReason.BREAKDOWN)
    services.raise_stop(sup, scope=StopScope.MACHINE, line_id=line.id, machine="M-2", reason=StopReason.BREAKDOWN)
    with pytest.raises(DomainError, match="already an open stop"):
        services.raise_stop(sup, scope=StopScope.MACHINE, line_id=line.id, machine="m-1", reason=StopReason.OTHER)
    services.raise_stop(sup, scope=StopScope.LINE, line_id=line.id, reason=StopReason.POWER)
    services.raise_stop(sup, scope=StopScope.OPERATOR, operator_id=op.id, reason=StopReason.NO_WORK)
    assert [s.scope for s in stops()] == [StopScope.MACHINE, StopScope.MACHINE, StopScope.LINE, StopScope.OPERATOR]


def test_acknowledge_then_close_frees_the_scope(floor):
    line, op, sup = floor
    stop = services.raise_stop(op, scope=StopScope.OPERATOR, reason=StopReason.NO_WORK, now=today_at(9, 0))
    acked = services.acknowledge(stop.id, sup, now=today_at(9, 2))
    assert acked.status == StopStatus.ACKNOWLEDGED and acked.acknowledged_by_id == sup.id
    with pytest.raises(DomainError, match="already acknowledged"):
        services.acknowledge(stop.id, sup)
    with pytest.raises(DomainError, match="ends after it starts"):
        services.close(stop.id, sup, now=today_at(9, 0))
    closed = services.close(stop.id, sup, now=today_at(9, 12))
    assert (closed.status, closed.ended_at, closed.open_key, closed.closed_by_id) == \
        (StopStatus.CLOSED, today_at(9, 12), None, sup.id)
    for action in (services.close, services.acknowledge):
        with pytest.raises(DomainError, match="already closed"):
            action(stop.id, sup)
    with pytest.raises(DomainError) as e:
        services.close(9999, sup)
    assert e.value.status == 404
    # the operator may stop again
    services.raise_stop(op, scope=StopScope.OPERATOR, reason=StopReason.POWER)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["stop_raise", "stop_acknowledge", "stop_close", "stop_raise"]


def test_backdating_a_line_stop(floor):
    line, op, sup = floor
    now = today_at(11, 0)

    def raise_at(started, scope=StopScope.LINE):
        return services.raise_stop(sup, scope=scope, line_id=line.id, operator_id=op.id, reason=StopReason.POWER,
                                   started=started, now=now)

    with pytest.raises(DomainError, match="future"):
        raise_at(time(11, 5))
    with pytest.raises(DomainError, match="Only a line stop"):
        raise_at(time(10, 30), scope=StopScope.OPERATOR)
    first = raise_at(time(10, 0))
    assert first.started_at == today_at(10, 0)
    services.close(first.id, sup, now=today_at(10, 40))
    with pytest.raises(DomainError, match="ended at"):    # inside the earlier stop of this line
        raise_at(time(10, 30))
    second = raise_at(time(10, 40))
    assert second.started_at == today_at(10, 40)
    assert len(stops()) == 2


def test_backdating_not_before_today(floor, app):
    line, op, sup = floor
    now = today_at(0, 30)
    # The typed time is on today's date: 23:50 typed at 00:30 is tonight, in the future (not yesterday).
    with pytest.raises(DomainError, match="future"):
        services.raise_stop(sup, scope=StopScope.LINE, line_id=line.id, reason=StopReason.POWER,
                            started=time(23, 50), now=now)
    day_start = services.local_start(time(0, 0), now)
    assert day_start == clock.local_day_bounds_utc(clock.local_today())[0]


def test_operator_page_raise_and_scan_page(client, floor):
    line, op, sup = floor
    login(client, op)
    scan = client.get("/scan")
    assert 'href="/stops"' in scan.text and "Stop work" in scan.text
    page = client.get("/stops")
    assert page.status_code == 200 and 'data-reason="breakdown"' in page.text and 'name="scope"' not in page.text
    resp = client.post("/stops", data={"reason": "no_work", "machine": "M-3", "note": "no bundles",
                                       "scope": "line", "line": str(line.id)}, follow_redirects=True)
    assert resp.status_code == 200 and "Stop raised" in resp.text
    [stop] = stops()
    assert (stop.scope, stop.operator_id, stop.reason, stop.machine, stop.note) == \
        (StopScope.OPERATOR, op.id, StopReason.NO_WORK, "M-3", "no bundles")   # the form's scope is ignored
    assert 'data-stop="%d"' % stop.id in resp.text and 'data-minutes="0"' in resp.text
    assert 'id="raise-stop"' not in resp.text                                  # one stop at a time
    again = client.post("/stops", data={"reason": "power"})
    assert again.status_code == 409 and "already an open stop" in again.text
    scan = client.get("/scan")
    assert f'data-stop="{stop.id}"' in scan.text and "Stopped: No work" in scan.text
    status = client.get("/stops/status")
    assert status.text.strip().startswith('<section id="stops-status"') and f'data-stop="{stop.id}"' in status.text
    # the operator neither acknowledges nor closes
    assert client.post(f"/stops/{stop.id}/close").status_code == 403
    assert client.post(f"/stops/{stop.id}/acknowledge").status_code == 403
    assert stops()[0].status == StopStatus.OPEN


def test_refused_input_keeps_the_form(client, floor):
    line, op, sup = floor
    login(client, sup)
    resp = client.post("/stops", data={"scope": "machine", "line": str(line.id), "reason": "breakdown",
                                       "note": "keep me"})
    assert resp.status_code == 422 and "Enter the machine" in resp.text and 'value="keep me"' in resp.text
    assert client.post("/stops", data={"scope": "line", "line": str(line.id), "reason": "coffee"}).status_code == 422
    assert client.post("/stops", data={"scope": "line", "line": str(line.id), "reason": "power",
                                       "started": "25:00"}).status_code == 422
    assert stops() == []


def test_supervisor_page_raises_acknowledges_and_closes(client, floor):
    line, op, sup = floor
    login(client, sup)
    page = client.get("/stops")
    assert 'name="scope"' in page.text and 'name="started"' in page.text
    resp = client.post("/stops", data={"scope": "line", "line": str(line.id), "reason": "power", "started": ""},
                       follow_redirects=True)
    assert resp.status_code == 200
    [stop] = stops()
    assert stop.scope == StopScope.LINE and stop.raised_by_id == sup.id
    assert "Acknowledge" in resp.text
    client.post(f"/stops/{stop.id}/acknowledge")
    assert stops()[0].status == StopStatus.ACKNOWLEDGED
    with write_transaction():  # a minute later
        db.session.get(Stoppage, stop.id).started_at -= timedelta(minutes=3)
    resp = client.post(f"/stops/{stop.id}/close", follow_redirects=True)
    assert "Closed: work goes on after 3 min." in resp.text and f'data-closed="{stop.id}"' in resp.text
    assert stops()[0].status == StopStatus.CLOSED


def test_double_submit_raises_one_stop(client, floor):
    line, op, sup = floor
    login(client, op)
    form = form_for(client.get("/stops").text, "/stops")
    data = form.data("quality", note="seam open")
    first = send(client, form, data, page="/stops")
    second = send(client, form, data, page="/stops")
    assert first.status_code == 200 and SAVED not in first.text
    assert second.status_code == 200 and SAVED in second.text
    assert db.session.scalar(select(func.count()).select_from(Stoppage)) == 1


def test_enter_in_a_text_field_raises_nothing(client, floor):
    line, op, sup = floor
    login(client, op)
    html = client.get("/stops").text
    form = form_for(html, "/stops")
    assert [v for n, v in form.buttons if n == "reason"] == [r.value for r in StopReason]
    # the browser's implicit submission uses the form's first submit button: a disabled one, before the tiles
    assert html.index("disabled hidden") < html.index('data-reason="breakdown"')


def test_stop_intervals_overlapping_a_window(floor):
    line, op, sup = floor
    d = date(2026, 3, 2)
    a = add_stop(scope=StopScope.OPERATOR, line=line, operator=op, reason=StopReason.BREAKDOWN,
                 start=at(d, 8), end=at(d, 8, 30), by=sup)
    b = add_stop(scope=StopScope.LINE, line=line, reason=StopReason.NEEDLE_THREAD, start=at(d, 9), end=at(d, 9, 5),
                 by=sup)
    c = add_stop(scope=StopScope.MACHINE, line=line, machine="M-9", reason=StopReason.POWER, start=at(d, 11), by=sup)
    got = queries.stop_intervals(at(d, 8, 30), at(d, 9, 1))
    assert [s.id for s in got] == [b.id]     # a ended as the window began; c starts after it
    assert got[0] == queries.StopInterval(id=b.id, scope=StopScope.LINE, line_id=line.id, operator_id=None,
                                          machine=None, reason=StopReason.NEEDLE_THREAD, off_standard=False,
                                          started_at=at(d, 9), ended_at=at(d, 9, 5))
    assert [s.id for s in queries.stop_intervals(at(d, 0), at(d + timedelta(days=1), 0))] == [a.id, b.id, c.id]
    open_one = queries.stop_intervals(at(d, 12), at(d, 13))
    assert [(s.id, s.ended_at, s.machine, s.off_standard) for s in open_one] == [(c.id, None, "M-9", True)]


def test_off_standard_minutes_hand_computed(floor, factory):
    line, a, sup = floor
    b = factory.user("operator", line=line)
    gone = factory.user("operator", line=line)
    factory.update(gone, active=False)
    other_line = factory.line()
    c = factory.user("operator", line=other_line)
    d = date(2026, 3, 2)
    # A: own breakdown 08:00-08:30, line power 08:20-08:50 -> one span 08:00-08:50 = 50 min
    add_stop(scope=StopScope.OPERATOR, line=line, operator=a, reason=StopReason.BREAKDOWN, start=at(d, 8),
             end=at(d, 8, 30), by=a)
    add_stop(scope=StopScope.LINE, line=line, reason=StopReason.POWER, start=at(d, 8, 20), end=at(d, 8, 50), by=sup)
    # A: a thread break 09:00-09:10 is the operator's own time (not off-standard)
    add_stop(scope=StopScope.OPERATOR, line=line, operator=a, reason=StopReason.NEEDLE_THREAD, start=at(d, 9),
             end=at(d, 9, 10), by=a)
    # B: line power 30 + a meeting from 23:50 the day before to 00:20 -> 20 inside the day = 50
    add_stop(scope=StopScope.OPERATOR, line=line, operator=b, reason=StopReason.MEETING,
             start=at(d - timedelta(days=1), 23, 50), end=at(d, 0, 20), by=sup)
    # nobody: a machine stop names no operator
    add_stop(scope=StopScope.MACHINE, line=line, machine="M-1", reason=StopReason.NO_WORK, start=at(d, 10),
             end=at(d, 10, 30), by=sup)
    # C: quality 07:00:00-07:07:30 (7.5) + no work open since 11:15, now 12:00 (45) = 52.5 -> 52
    add_stop(scope=StopScope.OPERATOR, line=other_line, operator=c, reason=StopReason.QUALITY, start=at(d, 7),
             end=at(d, 7, 7, 30), by=sup)
    add_stop(scope=StopScope.OPERATOR, line=other_line, operator=c, reason=StopReason.NO_WORK, start=at(d, 11, 15),
             by=sup)
    assert queries.off_standard_minutes(d, now=at(d, 12)) == {a.id: 50, b.id: 50, c.id: 52}
    # the next day: C's open stop runs on from midnight until now (02:00) = 120; B's meeting is yesterday's
    assert queries.off_standard_minutes(d + timedelta(days=1), now=at(d + timedelta(days=1), 2)) == {c.id: 120}
    # seen a day later, the open stop fills the rest of day d: 7.5 + 12:45 h = 772.5 -> 772
    assert queries.off_standard_minutes(d, now=at(d + timedelta(days=1), 2))[c.id] == 772
    assert queries.off_standard_minutes(d - timedelta(days=2), now=at(d, 12)) == {}


def test_two_raises_racing_for_one_scope_keep_one_open_stop(floor, monkeypatch):
    """The check before writing can pass for both; the unique open key refuses the second in the database."""
    line, op, sup = floor
    services.raise_stop(sup, scope=StopScope.LINE, line_id=line.id, reason=StopReason.POWER)
    checks = []
    real = services._refuse_if_open

    def late_check(key):  # the first check sees nothing (as if both raised at once), the one after the clash sees it
        checks.append(key)
        if len(checks) > 1:
            real(key)

    monkeypatch.setattr(services, "_refuse_if_open", late_check)
    with pytest.raises(DomainError) as e:
        services.raise_stop(sup, scope=StopScope.LINE, line_id=line.id, reason=StopReason.MEETING)
    assert e.value.status == 409 and checks == [f"line:{line.id}"] * 2
    assert [s.reason for s in stops()] == [StopReason.POWER]


def test_operator_undoes_a_stop_raised_by_mistake(client, floor):
    """Within two minutes the operator who raised a stop undoes it from the page: it counts no downtime and no
    off-standard time, the audit log keeps it, and the operator can stop again at once."""
    from shopfloor.stoppages import downtime

    line, op, sup = floor
    login(client, op)
    page = client.post("/stops", data={"reason": "breakdown"}, follow_redirects=True)
    [stop] = stops()
    assert f'action="/stops/{stop.id}/cancel"' in page.text and "Undo: raised by mistake" in page.text
    resp = client.post(f"/stops/{stop.id}/cancel", follow_redirects=True)
    assert resp.status_code == 200 and "Stop undone: it counts no downtime." in resp.text
    [stop] = stops()
    assert stop.status == StopStatus.CANCELLED and stop.open_key is None and stop.closed_by_id == op.id
    assert 'id="raise-stop"' in resp.text and f'data-stop="{stop.id}"' not in resp.text   # free to stop again
    day = clock.local_today()
    start, end = clock.local_day_bounds_utc(day)
    assert queries.stop_intervals(start, end) == []
    assert queries.off_standard_minutes(day, now=stop.started_at + timedelta(hours=1)) == {}
    assert downtime.downtime(day, day).total == 0 and list(downtime.export_rows(day, day)) == []
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == services.STOP_CANCEL)) == 1
    # undone once: again, or closing it, is refused and changes nothing
    assert client.post(f"/stops/{stop.id}/cancel").status_code == 409
    login(client, sup)
    assert client.post(f"/stops/{stop.id}/close").status_code == 409
    assert stops()[0].status == StopStatus.CANCELLED and stops()[0].ended_at == stop.ended_at


def test_a_stop_is_undone_only_by_its_raiser_early_and_before_it_is_acknowledged(floor, factory):
    line, op, sup = floor
    other = factory.user("operator", line=line)
    t0 = today_at(10)
    stop = services.raise_stop(op, scope=StopScope.OPERATOR, reason=StopReason.POWER, now=t0)
    with pytest.raises(DomainError) as e:
        services.cancel(stop.id, other, now=t0 + timedelta(seconds=30))
    assert e.value.status == 403
    with pytest.raises(DomainError) as e:
        services.cancel(stop.id, op, now=t0 + timedelta(minutes=2, seconds=1))
    assert e.value.status == 409 and "first 2 minutes" in e.value.message
    assert stops()[0].status == StopStatus.OPEN   # refused: nothing changed
    services.acknowledge(stop.id, sup, now=t0 + timedelta(seconds=40))
    with pytest.raises(DomainError) as e:
        services.cancel(stop.id, op, now=t0 + timedelta(seconds=50))
    assert e.value.status == 409 and stops()[0].status == StopStatus.ACKNOWLEDGED
    # a supervisor's own line stop, undone by that supervisor within the window
    line_stop = services.raise_stop(sup, scope=StopScope.LINE, reason=StopReason.MEETING, line_id=line.id, now=t0)
    assert services.cancel(line_stop.id, sup, now=t0 + timedelta(minutes=1)).status == StopStatus.CANCELLED
    assert queries.open_stop_of(op.id).id == stop.id   # the operator's acknowledged stop runs on


def test_the_undo_button_is_gone_after_the_window(client, floor):
    line, op, sup = floor
    login(client, op)
    client.post("/stops", data={"reason": "quality"})
    [stop] = stops()
    with write_transaction():  # raised three minutes ago
        s = db.session.get(Stoppage, stop.id)
        s.raised_at -= timedelta(minutes=3)
        s.started_at -= timedelta(minutes=3)
    status = client.get("/stops/status")
    assert f'data-stop="{stop.id}"' in status.text and "/cancel" not in status.text
    refused = client.post(f"/stops/{stop.id}/cancel")
    assert refused.status_code == 409 and "ask your supervisor to close it" in refused.text
    assert stops()[0].status == StopStatus.OPEN
