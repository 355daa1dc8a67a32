"""Sign-in under attack: the PIN lock counts exactly, one address cannot lock the floor out, staff passwords
are throttled per account and per address, and unknown user names cost the same hash as known ones."""
from __future__ import annotations

import threading
from collections import Counter

from flask import g
from sqlalchemy import select
from werkzeug import security as werkzeug_security

from shopfloor.auth import services
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import User
from tests.factories import PASSWORD, PIN

THROTTLED = "Too many sign-in attempts"


def _from(client, address: str, path: str, **data):
    g.pop("_login_user", None)
    return client.post(path, data=data, environ_base={"REMOTE_ADDR": address})


def _user(user_id: int) -> User:
    db.session.rollback()  # a fresh read (not an earlier snapshot of this session)
    return db.session.get(User, user_id)


def test_forty_parallel_wrong_pins_lock_after_exactly_five(app, factory):
    op = factory.user("operator")
    op_id = op.id  # read here: the threads have their own sessions
    start = threading.Barrier(40)
    outcomes: list[tuple[int, str]] = []

    def attempt():
        with app.app_context():
            start.wait()
            try:
                services.login_with_pin(op_id, "000000")
            except DomainError as e:
                outcomes.append((e.status, e.message))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = Counter(status for status, _ in outcomes)
    assert statuses == {401: 4, 429: 36}, statuses                    # 4 warnings, then locked for everyone
    warned = sorted(m for status, m in outcomes if status == 401)
    assert [m.split(".")[1].strip()[0] for m in warned] == ["1", "2", "3", "4"]  # each count told exactly once
    assert sum("locked for 15 minutes" in m for _, m in outcomes) == 1  # the fifth locked it
    locked = _user(op.id)
    assert locked.failed_pin_count == 5 and locked.is_locked()
    try:
        services.login_with_pin(op.id, PIN)
        raise AssertionError("the right PIN signed in while locked")
    except DomainError as e:
        assert e.status == 429


def test_one_address_cannot_lock_the_floor_out(client, factory):
    """Today's attack: 5 wrong PINs for each of 10 operators from one address, 50 requests in a second."""
    line = factory.line()
    ops = [factory.user("operator", line=line) for _ in range(10)]
    answers = [_from(client, "10.9.9.9", "/login/pin", user_id=op.id, pin="000000") for op in ops for _ in range(5)]
    throttled = [r for r in answers if r.status_code == 429 and THROTTLED in r.text]
    assert len(throttled) == 40                                        # 10 a minute from one address
    locked = [op for op in ops if _user(op.id).is_locked()]
    assert len(locked) == 2                                            # not the whole floor
    for op in ops[2:]:                                                 # the others sign in from their own phones
        assert _user(op.id).failed_pin_count == 0
        ok = _from(client.application.test_client(), f"10.0.0.{op.id}", "/login/pin", user_id=op.id, pin=PIN)
        assert ok.status_code == 302


def test_pin_throttle_message_is_translated(client, factory):
    op = factory.user("operator")
    client.post("/language", data={"lang": "es"})
    for _ in range(10):
        _from(client, "10.8.8.8", "/login/pin", user_id=op.id, pin="000000")
    refused = _from(client, "10.8.8.8", "/login/pin", user_id=op.id, pin=PIN)
    assert refused.status_code == 429 and "Demasiados intentos de inicio de sesión" in refused.text


def test_staff_password_throttled_per_account(client, factory):
    mgr, other = factory.user("manager"), factory.user("manager")
    for n in range(5):   # wrong passwords for one user name, each from another address
        r = _from(client, f"10.1.0.{n}", "/login/password", username=mgr.username, password="wrong-wrong")
        assert r.status_code == 401 and "Wrong user name or password" in r.text
    refused = _from(client, "10.1.1.1", "/login/password", username=mgr.username, password=PASSWORD)
    assert refused.status_code == 429 and THROTTLED in refused.text and "Sign out" not in refused.text
    ok = _from(client, "10.1.1.1", "/login/password", username=other.username, password=PASSWORD)
    assert ok.status_code == 302                                       # another account from that address


def test_staff_password_throttled_per_address(client, factory):
    mgr = factory.user("manager")
    for n in range(10):  # a different user name each time: the account throttle never trips
        r = _from(client, "10.2.0.1", "/login/password", username=f"guess{n}", password="wrong-wrong")
        assert r.status_code == 401
    refused = _from(client, "10.2.0.1", "/login/password", username=mgr.username, password=PASSWORD)
    assert refused.status_code == 429 and THROTTLED in refused.text
    elsewhere = _from(client.application.test_client(), "10.2.0.2", "/login/password", username=mgr.username,
                      password=PASSWORD)
    assert elsewhere.status_code == 302


def test_unknown_and_known_user_names_cost_the_same_hash(factory, monkeypatch):
    mgr = factory.user("manager")
    checked: list[str] = []

    def counting(stored: str, password: str) -> bool:
        checked.append(stored.split("$")[0])
        return werkzeug_security.check_password_hash(stored, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    for username in ("nobody-here", mgr.username):
        try:
            services.login_with_password(username, "wrong-wrong")
        except DomainError as e:
            assert e.status == 401 and e.message == "Wrong user name or password."
    assert checked == ["pbkdf2:sha256:60000", "pbkdf2:sha256:60000"]  # one hash of the same cost on each path


def test_locked_operator_cannot_sign_in_by_badge(client, factory):
    op = factory.user("operator")
    for _ in range(5):
        _from(client, "10.3.0.1", "/login/pin", user_id=op.id, pin="000000")
    badge = _from(client, "10.3.0.2", "/login/badge", badge=services.badge_payload(op))
    assert badge.status_code == 429 and "Too many wrong PINs" in badge.text and "Sign out" not in badge.text
    assert db.session.scalar(select(User.locked_until).where(User.id == op.id)) is not None


def test_limiter_works_only_on_the_throttled_routes(app):
    """Flask-Limiter's app-wide hooks run for the sign-in views (their limits, `deduct_when` above), and
    for no other request: the scan API and every page skip its per-request work (shopfloor/auth/throttle.py)."""
    from flask.globals import request_ctx

    client = app.test_client()
    for path, method, throttled in (("/login", "GET", False), ("/api/v1/scans", "POST", False),
                                    ("/login/pin", "POST", True)):
        with client:
            client.open(path, method=method, data={"user_id": "1", "pin": "0"} if throttled else None,
                        environ_base={"REMOTE_ADDR": "10.7.7.7"})
            assert hasattr(request_ctx._get_current_object(), "_limiter_request_context") is throttled, path
