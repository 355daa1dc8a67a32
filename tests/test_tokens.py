"""API tokens: made by an admin (shown once, stored hashed, one per double submit), scoped, revocable,
rate-limited, audited; a token request needs no session and no CSRF token."""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

from flask import g
from sqlalchemy import func, select

from shopfloor.api import tokens
from shopfloor.extensions import db
from shopfloor.models import ApiToken, AuditEntry, Order, WorkLog
from tests.api_helpers import bearer, make_token
from tests.conftest import login


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _order_body(style, number="API-1"):
    return {"number": number, "customer": "Acme", "style_id": style.id,
            "due_date": (date.today() + timedelta(days=30)).isoformat(),
            "quantities": [{"size": "S", "colour": "Navy", "quantity": 20}]}


def test_admin_makes_a_token_once_shown_once_stored_hashed(client, factory):
    admin = factory.user("admin")
    login(client, admin)
    form = {"name": "ERP link", "scope": ["read", "plan"], "_once": "tok-create-once-0001"}
    first = client.post("/admin/integrations/tokens", data=form)
    assert first.status_code == 200 and "Copy it now" in first.text
    secret = re.search(r"data-new-token>([^<]+)<", first.text).group(1)
    again = client.post("/admin/integrations/tokens", data=form)  # a double tap
    assert "Already saved" in again.text or again.status_code in (200, 303)
    assert _count(ApiToken) == 1
    row = db.session.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in row.token_hash
    assert row.scopes == ("read", "plan") and row.created_by_id == admin.id
    page = client.get("/admin/integrations")
    assert "ERP link" in page.text and secret not in page.text  # shown once
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == tokens.TOKEN_CREATE)).one()
    assert entry.actor_id == admin.id and "ERP link" in entry.details


def test_a_token_form_without_scope_or_name_is_refused_and_makes_nothing(client, factory):
    login(client, factory.user("admin"))
    resp = client.post("/admin/integrations/tokens", data={"name": "x"})
    assert resp.status_code == 422 and "Choose what the token may do" in resp.text
    resp = client.post("/admin/integrations/tokens", data={"name": " ", "scope": "read"})
    assert resp.status_code == 422 and "Give the token a name" in resp.text
    resp = client.post("/admin/integrations/tokens", data={"name": "x", "scope": "root"})
    assert resp.status_code == 422
    assert _count(ApiToken) == 0


def test_only_an_admin_reaches_the_integrations_page(client, factory):
    login(client, factory.user("manager"))
    assert client.get("/admin/integrations").status_code == 403
    assert client.post("/admin/integrations/tokens", data={"name": "x", "scope": "read"}).status_code == 403
    assert _count(ApiToken) == 0


def test_a_read_token_reads_without_a_session(client, factory):
    _, style, order, _ = factory.floor()
    token, secret, _ = make_token(factory, "read")
    resp = client.get("/api/v1/orders", headers=bearer(secret))
    assert resp.status_code == 200
    assert [o["number"] for o in resp.json["items"]] == [order.number]
    assert client.get(f"/api/v1/styles/{style.id}", headers=bearer(secret)).json["code"] == style.code
    assert client.get("/api/v1/orders").status_code == 401  # no token, no session
    bad = client.get("/api/v1/orders", headers=bearer("sft_not-a-token"))
    assert bad.status_code == 401 and bad.json["code"] == "bad_token"


def test_a_token_does_not_open_pages_without_token_scopes(client, factory):
    _, secret, _ = make_token(factory, "read", "scan", "plan")
    assert client.get("/review", headers=bearer(secret)).status_code in (302, 401)
    assert client.get("/admin/integrations", headers=bearer(secret)).status_code in (302, 401)


def test_refused_scopes_change_nothing(client, factory):
    _, style, order, op = factory.floor()
    _, read_secret, _ = make_token(factory, "read", name="reader")
    _, plan_secret, _ = make_token(factory, "plan", name="planner")
    before_orders, before_log, before_audit = _count(Order), _count(WorkLog), _count(AuditEntry)
    resp = client.post("/api/v1/orders", json=_order_body(style), headers=bearer(read_secret))
    assert resp.status_code == 403 and resp.json["code"] == "scope"
    resp = client.post("/api/v1/styles", json={"code": "NEW", "name": "New", "sizes": ["S"]},
                       headers=bearer(read_secret))
    assert resp.status_code == 403
    from shopfloor.models import Bundle
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    resp = client.post("/api/v1/scans", headers=bearer(read_secret),
                       json={"bundle": bundle.code, "operation": style.operations[0].id, "qty": 1,
                             "client_id": "tok-1", "operator_id": op.id})
    assert resp.status_code == 403
    assert client.get("/api/v1/worklog", headers=bearer(plan_secret)).status_code == 403
    assert (_count(Order), _count(WorkLog), _count(AuditEntry)) == (before_orders, before_log, before_audit)


def test_a_plan_token_writes_without_csrf_and_is_audited(client, factory):
    _, style, _, _ = factory.floor()
    token, secret, admin = make_token(factory, "plan", name="ERP")
    client.application.config["WTF_CSRF_ENABLED"] = True
    try:
        manager = factory.user("manager")
        other = client.application.test_client()
        login(other, manager)
        refused = other.post("/api/v1/orders", json=_order_body(style, "SESSION-1"))
        assert refused.status_code == 400  # a session's write needs the CSRF token
        resp = client.post("/api/v1/orders", json=_order_body(style), headers=bearer(secret))
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 201 and resp.json["number"] == "API-1" and resp.json["quantity"] == 20
    order = db.session.scalars(select(Order).where(Order.number == "API-1")).one()
    assert order.total_quantity == 20 and _count(Order) == 2
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == tokens.TOKEN_WRITE)).one()
    assert entry.actor_id == admin.id and entry.details.startswith("ERP:") and entry.target == f"order:{order.id}"


def test_validation_errors_are_json_with_a_code(client, factory):
    _, style, _, _ = factory.floor()
    _, secret, _ = make_token(factory, "plan")
    body = _order_body(style)
    body["quantities"] = [{"size": "XXL", "colour": "Navy", "quantity": 5}]
    resp = client.post("/api/v1/orders", json=body, headers=bearer(secret))
    assert resp.status_code == 422 and set(resp.json) >= {"error", "code"} and "XXL" in resp.json["error"]
    resp = client.post("/api/v1/styles", json={"code": style.code, "name": "Dup", "sizes": ["S"]},
                       headers=bearer(secret))
    assert resp.status_code == 422 and "already used" in resp.json["error"]
    resp = client.post("/api/v1/orders", data="nope", headers=bearer(secret))
    assert resp.status_code == 422 and resp.json["code"] == "invalid_json"
    assert _count(Order) == 1


def test_a_scan_token_logs_work_for_the_named_operator(client, factory):
    line, style, order, op = factory.floor()
    from shopfloor.models import Bundle
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    token, secret, admin = make_token(factory, "scan", name="Line PLC")
    body = {"bundle": bundle.code, "operation": style.operations[0].id, "qty": 3, "client_id": "plc-1"}
    missing = client.post("/api/v1/scans", json=body, headers=bearer(secret))
    assert missing.status_code == 422 and missing.json["code"] == "operator_required"
    resp = client.post("/api/v1/scans", json={**body, "operator_id": op.id}, headers=bearer(secret))
    assert resp.status_code == 201, resp.json
    again = client.post("/api/v1/scans", json={**body, "operator_id": op.id}, headers=bearer(secret))
    assert again.status_code == 200  # the same client id counts once
    rows = db.session.scalars(select(WorkLog)).all()
    assert [(r.operator_id, r.pieces) for r in rows] == [(op.id, 3)]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == tokens.TOKEN_WRITE)).one()
    assert entry.actor_id == admin.id and "Line PLC" in entry.details and "plc-1" in entry.details
    by_badge = client.post("/api/v1/scans", headers=bearer(secret),
                           json={**body, "client_id": "plc-2", "qty": 1, "badge": "no-such-badge"})
    assert by_badge.status_code == 422 and by_badge.json["code"] == "unknown_operator"


def test_a_revoked_token_is_refused(client, factory):
    factory.floor()
    token, secret, admin = make_token(factory, "read")
    assert client.get("/api/v1/orders", headers=bearer(secret)).status_code == 200
    login(client, admin)
    page = client.post(f"/admin/integrations/tokens/{token.id}/revoke")
    assert page.status_code == 200 and "revoked" in page.text
    other = client.application.test_client()
    resp = other.get("/api/v1/orders", headers=bearer(secret))
    assert resp.status_code == 401 and resp.json["code"] == "bad_token"


def test_last_used_is_written_at_most_once_a_minute(client, factory):
    token, secret, _ = make_token(factory, "read")
    assert token.last_used_at is None
    client.get("/api/v1/styles", headers=bearer(secret))
    db.session.rollback()
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    client.get("/api/v1/styles", headers=bearer(secret))
    db.session.rollback()
    assert db.session.get(ApiToken, token.id).last_used_at == first


def test_each_token_has_its_own_rate_limit(client, factory):
    _, secret, _ = make_token(factory, "read", name="a")
    _, other, _ = make_token(factory, "read", name="b")
    client.application.config["API_TOKEN_RATE"] = "3 per minute"
    try:
        answers = [client.get("/api/v1/styles", headers=bearer(secret)).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        assert client.get("/api/v1/styles", headers=bearer(other)).status_code == 200
        manager = factory.user("manager")
        login(client, manager)
        assert client.get("/api/v1/styles").status_code == 200  # sessions are not counted
    finally:
        client.application.config.pop("API_TOKEN_RATE")


def test_a_session_still_uses_the_api(client, factory):
    _, style, _, _ = factory.floor()
    login(client, factory.user("manager"))
    resp = client.post("/api/v1/styles", json={"code": "TEE-2", "name": "Tee", "sizes": ["S", "M"]})
    assert resp.status_code == 201 and resp.json["sizes"] == ["S", "M"]
    assert _count(AuditEntry) == 0  # a session's write is not a token's
    g.pop("_login_user", None)
    login(client, factory.user("operator"))
    assert client.get("/api/v1/orders").status_code == 403
