"""Sessions live in the database: signing out refuses a copied cookie, remember-me tokens rotate and are
revoked, cookies are Secure over HTTPS and SameSite everywhere."""
from __future__ import annotations

import hashlib

from flask import g
from sqlalchemy import func, select

from shopfloor.extensions import db
from shopfloor.models import AuditEntry, AuthSession, Bundle, WorkLog
from tests.factories import PASSWORD, PIN

REMEMBER = "shopfloor_remember"


def _scan_body(order, style, client_id: str) -> dict:
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    return {"bundle": bundle.code, "operation": style.operations[0].id, "qty": 1, "client_id": client_id}


def _worklog_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(WorkLog))


def _sent_to_sign_in(resp) -> bool:
    return resp.status_code == 302 and "/login" in resp.headers["Location"]


def _cookie(client, name: str) -> str | None:
    c = client.get_cookie(name)
    return c.value if c else None


def _forget_cached_user() -> None:
    """Tests run requests inside one app context, where Flask-Login caches the user on g (a server does not)."""
    g.pop("_login_user", None)


def _replay(app, name: str, value: str):
    _forget_cached_user()
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def test_a_cookie_copied_before_sign_out_is_refused_afterwards(app, client, factory):
    _, style, order, op = factory.floor()
    assert client.post("/login/pin", data={"user_id": op.id, "pin": PIN}).status_code == 302
    copied = _cookie(client, "session")
    assert f'<span class="who">{op.name}</span>' in _replay(app, "session", copied).get("/scan").text  # a copy works now
    client.post("/logout")
    thief = _replay(app, "session", copied)
    page = thief.get("/scan")
    assert _sent_to_sign_in(page) and op.name not in page.text
    api = thief.post("/api/v1/scans", json=_scan_body(order, style, "after-logout"))
    assert api.status_code == 401 and "Sign in first" in api.json["error"]
    assert _worklog_rows() == 0          # the scan API's hot path refuses it too: nothing credited
    assert db.session.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_scan_api_still_works_for_an_open_session(client, factory):
    _, style, order, op = factory.floor()
    client.post("/login/pin", data={"user_id": op.id, "pin": PIN})
    resp = client.post("/api/v1/scans", json=_scan_body(order, style, "open-1"))
    assert resp.status_code == 201 and resp.json["qty"] == 1
    assert _worklog_rows() == 1


def test_remember_me_token_is_random_stored_hashed_and_rotates_on_use(app, client, factory):
    op = factory.user("operator")
    client.post("/login/pin", data={"user_id": op.id, "pin": PIN})
    first = _cookie(client, REMEMBER)
    assert first and "|" not in first   # not Flask-Login's "user id|digest"
    db.session.expire_all()
    stored = db.session.scalars(select(AuthSession)).one()
    assert stored.remember_hash == hashlib.sha256(first.encode()).hexdigest()
    # The browser was closed (no session cookie): the remember-me cookie alone signs in, and is replaced.
    phone = _replay(app, REMEMBER, first)
    page = phone.get("/scan")
    assert page.status_code == 200 and f'<span class="who">{op.name}</span>' in page.text
    second = _cookie(phone, REMEMBER)
    assert second and second != first
    # The old token is spent: a copy of it signs nobody in.
    assert _sent_to_sign_in(_replay(app, REMEMBER, first).get("/scan"))
    # Signing out revokes the current token too.
    phone.post("/logout")
    assert _cookie(phone, REMEMBER) is None
    assert _sent_to_sign_in(_replay(app, REMEMBER, second).get("/scan"))


def test_staff_remember_me_only_when_asked(client, factory):
    mgr = factory.user("manager")
    client.post("/login/password", data={"username": mgr.username, "password": PASSWORD})
    assert _cookie(client, REMEMBER) is None
    db.session.expire_all()
    assert db.session.scalars(select(AuthSession)).one().remember_hash is None


def _set_cookies(resp) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in resp.headers.getlist("Set-Cookie")}


def test_cookies_are_secure_over_https_and_samesite_everywhere(client, factory):
    op = factory.user("operator")
    over_https = client.post("/login/pin", data={"user_id": op.id, "pin": PIN}, base_url="https://localhost")
    cookies = _set_cookies(over_https)
    for name in ("session", REMEMBER):
        assert "; Secure" in cookies[name] and "SameSite=Lax" in cookies[name] and "HttpOnly" in cookies[name], name
    other = factory.user("operator")
    plain = _set_cookies(client.application.test_client().post("/login/pin", data={"user_id": other.id, "pin": PIN}))
    for name in ("session", REMEMBER):
        assert "SameSite=Lax" in plain[name] and "; Secure" not in plain[name], name


def test_cookies_secure_when_configured(app, factory):
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    try:
        op = factory.user("operator")
        cookies = _set_cookies(app.test_client().post("/login/pin", data={"user_id": op.id, "pin": PIN}))
        assert all("; Secure" in cookies[n] for n in ("session", REMEMBER))
    finally:
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)


def test_sign_out_everywhere_closes_every_device_and_is_audited(app, factory):
    op = factory.user("operator")
    phones = [app.test_client() for _ in range(2)]
    for phone in phones:
        phone.post("/login/pin", data={"user_id": op.id, "pin": PIN})
    lost_cookie = _cookie(phones[1], REMEMBER)
    out = phones[0].post("/logout/everywhere", follow_redirects=True)
    assert "You are signed out on every device." in out.text
    _forget_cached_user()
    assert _sent_to_sign_in(phones[1].get("/scan"))                        # the other phone's session is gone
    assert _sent_to_sign_in(_replay(app, REMEMBER, lost_cookie).get("/scan"))  # and its remember-me token
    db.session.expire_all()
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.actor_id, entry.action, entry.target) == (op.id, "sign_out_everywhere", f"user:{op.id}")


def test_next_person_on_a_shared_phone_closes_the_previous_session(app, client, factory):
    first, second = factory.user("operator"), factory.user("operator")
    client.post("/login/pin", data={"user_id": first.id, "pin": PIN})
    left_behind = _cookie(client, REMEMBER)
    _forget_cached_user()
    client.post("/login/pin", data={"user_id": second.id, "pin": PIN})   # without signing the first out
    db.session.rollback()
    assert [s.user_id for s in db.session.scalars(select(AuthSession))] == [second.id]
    assert _sent_to_sign_in(_replay(app, REMEMBER, left_behind).get("/scan"))


# --- a verified session cookie is remembered (shopfloor/sessions.py), and checked as strictly as before ---------

def _open(app, cookie: str | None):
    """The session the app opens for a request carrying this session cookie."""
    from flask import request

    iface = app.session_interface
    headers = {"Cookie": f"{iface.get_cookie_name(app)}={cookie}"} if cookie else {}
    with app.test_request_context("/scan", headers=headers):
        return iface.open_session(app, request)


def _signed_in_cookie(client, factory) -> tuple[str, int]:
    _, _, _, op = factory.floor()
    assert client.post("/login/pin", data={"user_id": op.id, "pin": PIN}).status_code == 302
    return _cookie(client, "session"), op.id


def test_a_remembered_cookie_opens_the_same_session_and_each_request_gets_its_own_copy(app, client, factory):
    cookie, uid = _signed_in_cookie(client, factory)
    first = _open(app, cookie)
    assert first["_user_id"] == str(uid)
    assert any(key[1] == cookie for key in app.session_interface._verified)   # remembered
    first["_user_id"] = "999"          # a request changing its session...
    first["extra"] = "x"
    second = _open(app, cookie)        # ...changes nothing another request with the same cookie opens
    assert second["_user_id"] == str(uid) and "extra" not in second and second is not first


def test_a_tampered_cookie_is_refused_though_the_genuine_one_is_remembered(app, client, factory):
    cookie, uid = _signed_in_cookie(client, factory)
    assert _open(app, cookie)["_user_id"] == str(uid)
    payload, signature = cookie.rsplit(".", 1)
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert dict(_open(app, forged)) == {}
    _forget_cached_user()
    thief = _replay(app, "session", forged)
    page = thief.get("/scan")
    assert _sent_to_sign_in(page)       # as anyone without a session


def test_a_remembered_cookie_past_the_session_lifetime_is_refused(app, client, factory, monkeypatch):
    import time

    cookie, uid = _signed_in_cookie(client, factory)
    assert _open(app, cookie)["_user_id"] == str(uid)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 5)
    assert dict(_open(app, cookie)) == {}     # the remembered entry's age is checked at every use
    app.session_interface._verified.clear()
    assert dict(_open(app, cookie)) == {}     # as a fresh check refuses it


def test_a_remembered_cookie_is_refused_once_the_secret_key_changes(app, client, factory, monkeypatch):
    cookie, uid = _signed_in_cookie(client, factory)
    assert _open(app, cookie)["_user_id"] == str(uid)
    monkeypatch.setattr(app, "secret_key", "another-key-" + "x" * 32)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert dict(_open(app, cookie)) == {}


def test_remembered_cookies_are_bounded(app, client, factory, monkeypatch):
    from shopfloor import sessions as cookie_sessions

    monkeypatch.setattr(cookie_sessions, "VERIFIED_MAX", 3)
    cookie, uid = _signed_in_cookie(client, factory)
    serializer = app.session_interface.get_signing_serializer(app)
    others = [serializer.dumps({"_user_id": str(uid), "n": i}) for i in range(5)]
    for c in [cookie, *others]:
        assert _open(app, c)["_user_id"] == str(uid)
        assert len(app.session_interface._verified) <= 3
