from __future__ import annotations

from sqlalchemy import func, select

from shopfloor import security
from shopfloor.extensions import db
from shopfloor.models import Bundle, WorkLog
from tests.conftest import login
from tests.html_forms import form_for


def _first_bundle(order):
    return db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()


def test_card_shows_bundle_and_preselects_assigned_operation(client, factory):
    _, style, order, op = factory.floor()
    login(client, op)
    b = _first_bundle(order)
    resp = client.get("/scan/card", query_string={"code": security.sign("bundle", b.code)},
                      headers={"HX-Request": "true"})
    assert resp.status_code == 200
    html = resp.text
    assert html.lstrip().startswith('<section id="bundle-card"')
    assert order.number in html and style.code in html and "10 pieces" in html
    sent = form_for(html, "/scan/log").data()
    assert sent["operation"] == str(style.operations[0].id) and sent["qty"] == "10"
    assert "Done 10 pcs" in html


def test_log_via_form_then_undo(client, factory):
    _, style, order, op = factory.floor()
    login(client, op)
    b = _first_bundle(order)
    resp = client.post("/scan/log", data={"bundle": b.code, "operation": style.operations[0].id, "qty": "10",
                                          "client_id": "abc-1"})
    assert resp.status_code == 200 and "Done: 10 pieces logged." in resp.text and "Undo" in resp.text
    assert "10/10" in resp.text
    log = db.session.scalars(select(WorkLog)).one()
    undo = client.post(f"/scan/undo/{log.id}", data={"bundle": b.code})
    assert "Undone" in undo.text and "0/10" in undo.text
    assert db.session.scalar(select(func.sum(WorkLog.pieces))) == 0


def test_forged_ticket_link_shows_clear_message(client, factory):
    _, style, order, op = factory.floor()
    login(client, op)
    b = _first_bundle(order)
    resp = client.get(f"/b/{b.code}.AAAAAAAAAAAA")
    assert resp.status_code == 422 and "not genuine" in resp.text


def test_ticket_link_opens_card(client, factory):
    _, style, order, op = factory.floor()
    login(client, op)
    b = _first_bundle(order)
    resp = client.get(f"/b/{security.sign('bundle', b.code)}")
    assert resp.status_code == 200 and b.code in resp.text and "Done 10 pcs" in resp.text


def test_api_status_codes(client, factory):
    _, style, order, op = factory.floor()
    login(client, op)
    b = _first_bundle(order)
    op_id = style.operations[0].id
    body = {"bundle": b.code, "operation": op_id, "qty": 4, "client_id": "k1"}
    r1 = client.post("/api/v1/scans", json=body)
    assert r1.status_code == 201 and r1.json["qty"] == 4 and r1.json["replay"] is False
    r2 = client.post("/api/v1/scans", json=body)
    assert r2.status_code == 200 and r2.json["id"] == r1.json["id"] and r2.json["replay"] is True
    r3 = client.post("/api/v1/scans", json={**body, "qty": 7, "client_id": "k2"})
    assert r3.status_code == 409 and "Only 6 pieces remain" in r3.json["error"]
    r4 = client.post("/api/v1/scans", json={**body, "bundle": "QQQQ222", "client_id": "k3"})
    assert r4.status_code == 404 and "QQQQ222" in r4.json["error"]
    r5 = client.post("/api/v1/scans", json={**body, "qty": "x", "client_id": "k4"})
    assert r5.status_code == 422 and "whole number" in r5.json["error"]
    r6 = client.post("/api/v1/scans", json={"bundle": b.code})
    assert r6.status_code == 422 and "client_id is required" in r6.json["error"]
    assert db.session.scalar(select(func.count()).select_from(WorkLog)) == 1
    assert db.session.scalar(select(func.sum(WorkLog.pieces))) == 4


def test_api_requires_sign_in(client, factory):
    _, style, order, op = factory.floor()
    body = {"bundle": _first_bundle(order).code, "operation": style.operations[0].id, "client_id": "a"}
    resp = client.post("/api/v1/scans", json=body)
    assert resp.status_code == 401 and resp.is_json and resp.json["error"]
    assert db.session.scalar(select(func.count()).select_from(WorkLog)) == 0
