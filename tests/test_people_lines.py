"""Lines: add, edit, retire (leaves the pickers and the board, keeps its history), bring back; all audited."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import AuditEntry, Line
from tests.conftest import login
from tests.html_forms import SAVED, count, form_for, send


def _fresh(line_id: int) -> Line:
    db.session.rollback()
    return db.session.get(Line, line_id)


def test_add_a_line_once_and_edit_it_with_the_trail(client, factory):
    mgr = factory.user("manager")
    login(client, mgr)
    form = form_for(client.get("/lines").text, "/lines")
    data = form.data(code="L9", name="Line nine", efficiency="72")
    first = send(client, form, data, page="/lines")
    second = send(client, form, data, page="/lines")
    assert "Line L9 is added." in first.text and SAVED in second.text and count(Line) == 1
    line = db.session.scalars(select(Line)).one()
    assert (line.code, line.name, line.target_efficiency, line.active) == ("L9", "Line nine", Decimal("0.72"), True)
    resp = client.post(f"/lines/{line.id}", data={"code": "L9", "name": "Sewing nine", "efficiency": "75"})
    assert "Saved." in resp.text and 'value="Sewing nine"' in resp.text and 'value="75"' in resp.text
    changes = [e.changes for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert changes == [{"code": [None, "L9"], "name": [None, "Line nine"], "efficiency": [None, "72 %"]},
                       {"name": ["Line nine", "Sewing nine"], "efficiency": ["72 %", "75 %"]}]


def test_bad_line_input_is_refused_and_changes_nothing(client, factory):
    other = factory.line("L1")
    line = factory.line("L2")
    login(client, factory.user("admin"))
    for data, message in [({"code": "l1", "name": "x", "efficiency": "70"}, "There is already a line l1."),
                          ({"code": "", "name": "x", "efficiency": "70"}, "A line needs a code."),
                          ({"code": "L3", "name": "x", "efficiency": "0"}, "Planned efficiency is a percentage from 1 to 150."),
                          ({"code": "L3", "name": "x", "efficiency": "NaN"}, "Planned efficiency is a percentage, e.g. 70."),
                          ({"code": "L" * 21, "name": "x", "efficiency": "70"}, "Code can be at most 20 characters long.")]:
        resp = client.post(f"/lines/{line.id}", data=data)
        assert resp.status_code in (409, 422) and message in resp.text, (data, resp.text[:200])
    line = _fresh(line.id)
    assert (line.code, other.code) == ("L2", "L1") and count(AuditEntry) == 0


def test_retire_a_line_hides_it_from_pickers_and_the_board_and_bring_it_back(client, factory):
    busy, style, order, op = factory.floor()
    idle = factory.update(factory.line("IDLE"), name="Idle Sewing")
    mgr = factory.user("manager")
    login(client, mgr)
    pickers = ("/orders", "/supervise", "/people/new", "/board")
    assert all("Idle Sewing" in client.get(url).text or "IDLE" in client.get(url).text for url in pickers)
    refused = client.post(f"/lines/{busy.id}/active", data={"active": "0"})
    assert refused.status_code == 409 and "still has 1 open orders" in refused.text and _fresh(busy.id).active
    resp = client.post(f"/lines/{idle.id}/active", data={"active": "0"})
    assert "Line IDLE is retired" in resp.text and not _fresh(idle.id).active
    for url in pickers:
        html = client.get(url).text
        assert "Idle Sewing" not in html and "IDLE" not in html, url
    assert "Idle Sewing" in client.get("/review").text              # history still reads it
    back = client.post(f"/lines/{idle.id}/active", data={"active": "1"})
    assert "Line IDLE is in use again." in back.text and _fresh(idle.id).active
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["line_retire", "line_restore"]


def test_lines_are_for_managers_and_admins(client, factory):
    line = factory.line()
    login(client, factory.user("supervisor"))
    resp = client.post(f"/lines/{line.id}/active", data={"active": "0"})
    assert resp.status_code == 403 and _fresh(line.id).active
