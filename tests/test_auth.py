from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shopfloor import clock
from shopfloor.auth import services
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import User
from tests.conftest import login
from tests.factories import PASSWORD, PIN


def test_operator_signs_in_with_name_and_pin(client, factory):
    line = factory.line()
    op = factory.user("operator", line=line, name="Amina Akter")
    page = client.get("/login")
    assert "Amina Akter" in page.text
    resp = client.post("/login/pin", data={"user_id": op.id, "pin": PIN})
    assert resp.status_code == 302
    scan_page = client.get(resp.headers["Location"], follow_redirects=True)   # home sends operators to scan
    assert scan_page.status_code == 200 and '<span class="who">Amina Akter</span>' in scan_page.text
    assert 'id="scan-form"' in scan_page.text


def test_wrong_pin_counts_and_locks_after_five(client, factory):
    op = factory.user("operator", name="Rahim Uddin")
    for i in range(4):
        resp = client.post("/login/pin", data={"user_id": op.id, "pin": "000000"})
        assert resp.status_code == 401 and f"{4 - i} tries left" in resp.text
    resp = client.post("/login/pin", data={"user_id": op.id, "pin": "000000"})
    assert resp.status_code == 429 and "locked for 15 minutes" in resp.text
    db.session.expire_all()
    locked = db.session.get(User, op.id)
    assert locked.locked_until is not None and locked.locked_until > clock.utcnow() + timedelta(minutes=14)
    # Even the right PIN is refused while locked, and no session is created.
    resp = client.post("/login/pin", data={"user_id": op.id, "pin": PIN})
    assert resp.status_code == 429 and "Try again in" in resp.text
    _assert_sent_to_sign_in(client.get("/scan"))


def _assert_sent_to_sign_in(resp) -> None:
    """Not signed in: the page is not shown, the browser is sent to the sign-in page."""
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_lock_expires_after_15_minutes(factory):
    op = factory.user("operator")
    for tries_left in (4, 3, 2, 1):
        with pytest.raises(DomainError) as e:
            services.login_with_pin(op.id, "999999")
        assert e.value.status == 401 and f"{tries_left} tries left" in e.value.message
    with pytest.raises(DomainError) as e:
        services.login_with_pin(op.id, "999999")
    assert e.value.status == 429 and "locked for 15 minutes" in e.value.message
    db.session.expire_all()
    assert db.session.get(User, op.id).locked_until is not None
    with pytest.raises(DomainError) as e:  # the right PIN, but still locked
        services.login_with_pin(op.id, PIN, now=clock.utcnow() + timedelta(minutes=14))
    assert e.value.status == 429
    later = clock.utcnow() + timedelta(minutes=16)
    assert services.login_with_pin(op.id, PIN, now=later).id == op.id
    db.session.expire_all()
    assert db.session.get(User, op.id).failed_pin_count == 0


def test_staff_password_sign_in_and_wrong_password(client, factory):
    mgr = factory.user("manager")
    bad = client.post("/login/password", data={"username": mgr.username, "password": "nope-nope"})
    assert bad.status_code == 401 and "Wrong user name or password" in bad.text
    _assert_sent_to_sign_in(client.get("/review"))   # a refusal signs nobody in
    ok = client.post("/login/password", data={"username": mgr.username.upper(), "password": PASSWORD})
    assert ok.status_code == 302
    landing = client.get(ok.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200 and f'<span class="who">{mgr.name}</span>' in landing.text


def test_badge_sign_in_is_signed(client, factory, ctx):
    op = factory.user("operator")
    payload = services.badge_payload(op)
    forged = client.post("/login/badge", data={"badge": op.badge_code + ".AAAAAAAAAAAA"})
    assert forged.status_code == 401 and "not valid" in forged.text
    unsigned = client.post("/login/badge", data={"badge": op.badge_code})
    assert unsigned.status_code == 401 and "not valid" in unsigned.text
    _assert_sent_to_sign_in(client.get("/scan"))
    signed = client.post("/login/badge", data={"badge": payload})
    assert signed.status_code == 302
    landing = client.get(signed.headers["Location"], follow_redirects=True)
    assert f'<span class="who">{op.name}</span>' in landing.text and 'id="scan-form"' in landing.text


def test_badge_link_from_phone_camera_confirms_then_signs_in(client, factory):
    op = factory.user("operator")
    page = client.get(f"/badge/{services.badge_payload(op)}")
    assert page.status_code == 200 and 'name="badge"' in page.text
    _assert_sent_to_sign_in(client.get("/scan"))  # a GET alone signs nobody in


def test_logout(client, factory):
    op = factory.user("operator")
    login(client, op)
    assert f'<span class="who">{op.name}</span>' in client.get("/scan").text
    out = client.post("/logout")
    assert out.status_code == 302 and "/login" in out.headers["Location"]
    _assert_sent_to_sign_in(client.get("/scan"))


def test_role_guard_refuses_other_roles(client, factory):
    qc = factory.user("qc")
    login(client, qc)
    refused = client.get("/scan")
    assert refused.status_code == 403 and "Your role does not allow this page." in refused.text
    assert 'id="scan-form"' not in refused.text


def test_pin_must_be_six_digits(factory):
    with pytest.raises(DomainError) as e:
        services.create_user("X", "operator", pin="12345")
    assert "6 digits" in e.value.message
    assert db.session.scalar(select(User).where(User.name == "X")) is None


def test_csrf_is_enforced(app, factory):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        op = factory.user("operator")
        c = app.test_client()
        resp = c.post("/login/pin", data={"user_id": op.id, "pin": PIN})
        assert resp.status_code == 400 and "Reload the page" in resp.text
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
