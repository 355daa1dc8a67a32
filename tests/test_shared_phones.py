"""Shared phones: an operator's session ends at the end of the shift or after the configured idle time, on
pages, through remember-me and on the scan API; the sign-in page says why; a scan queued before the end
still counts for the operator who made it; staff sessions do not end this way."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import g
from sqlalchemy import select, update

from shopfloor import clock
from shopfloor.auth.services import badge_payload
from shopfloor.config import Config
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import AuthSession, Bundle, WorkLog
from shopfloor.scan import identity
from tests.factories import PASSWORD, PIN

REMEMBER = "shopfloor_remember"
IDLE_MESSAGE = "Your session ended after 60 minutes without use."
SHIFT_MESSAGE = "Your session ended at the end of the shift."


def _rows() -> list[AuthSession]:
    db.session.rollback()  # a fresh read: the server ends rows on a connection of its own
    return list(db.session.scalars(select(AuthSession)))


def _age_session(**ago: timedelta) -> None:
    """Move the (only) session row's opening or last use back in time, as if that much time had passed."""
    now = clock.utcnow()
    with write_transaction():
        db.session.execute(update(AuthSession).values(**{col: now - delta for col, delta in ago.items()}))


def _fresh_request() -> None:
    g.pop("_login_user", None)  # the fixture's app context caches the user on g (a server does not)


def _sign_in_operator(client, op) -> None:
    assert client.post("/login/pin", data={"user_id": op.id, "pin": PIN}).status_code == 302
    _fresh_request()


def _ledger() -> list[tuple[int, int]]:
    db.session.rollback()
    return [tuple(r) for r in db.session.execute(select(WorkLog.operator_id, WorkLog.pieces).order_by(WorkLog.id))]


def _first_bundle(order) -> Bundle:
    return db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()


def test_idle_operator_is_signed_out_with_a_message_and_the_session_ends_on_the_server(client, factory):
    _, _, _, op = factory.floor()
    _sign_in_operator(client, op)
    assert client.get("/scan").status_code == 200
    _age_session(used_at=timedelta(minutes=61))
    _fresh_request()
    page = client.get("/scan")
    assert page.status_code == 302 and "/login" in page.headers["Location"] and "ended=idle" in page.headers["Location"]
    assert client.get_cookie(REMEMBER) is None          # the phone drops its remember-me cookie
    for _again in range(2):                             # the server refuses the session on every request
        _fresh_request()
        assert client.get("/me").status_code == 302
    sign_in = client.get(page.headers["Location"])
    assert sign_in.status_code == 200 and IDLE_MESSAGE in sign_in.text and 'class="who"' not in sign_in.text
    assert 'id="badge-scan"' in sign_in.text            # one badge scan signs the next person in


def test_operator_session_ends_at_the_end_of_the_shift_it_was_opened_in(client, factory):
    _, _, _, op = factory.floor()
    _sign_in_operator(client, op)
    since_shift_end = clock.utcnow() - clock.last_shift_end(clock.utcnow())
    _age_session(created_at=since_shift_end + timedelta(minutes=1))   # opened a minute before the shift ended
    page = client.get("/scan", follow_redirects=True)
    assert SHIFT_MESSAGE in page.text and 'id="scan-form"' not in page.text


def test_a_use_is_written_at_most_once_a_minute(client, factory):
    _, _, _, op = factory.floor()
    _sign_in_operator(client, op)
    _age_session(used_at=timedelta(seconds=30))
    before = _rows()[0].used_at
    client.get("/scan")
    _fresh_request()
    assert _rows()[0].used_at == before                  # under a minute ago: no write
    _age_session(used_at=timedelta(minutes=59))
    client.get("/me")
    _fresh_request()
    assert clock.utcnow() - _rows()[0].used_at < timedelta(seconds=30)   # written: the idle time starts over
    assert client.get("/scan").status_code == 200
    _age_session(used_at=timedelta(minutes=59))
    before = _rows()[0].used_at
    assert client.get("/board/live").status_code == 200    # the board polling by itself is not a use
    _fresh_request()
    assert _rows()[0].used_at == before


def test_remember_me_cannot_bring_back_an_idle_operator_session(app, client, factory):
    _, _, _, op = factory.floor()
    _sign_in_operator(client, op)
    token = client.get_cookie(REMEMBER).value
    sid_hash = _rows()[0].sid_hash
    _age_session(used_at=timedelta(minutes=61))
    _fresh_request()
    browser_reopened = app.test_client()                  # the session cookie is gone, the remember-me one kept
    browser_reopened.set_cookie(REMEMBER, token)
    page = browser_reopened.get("/scan")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert browser_reopened.get_cookie(REMEMBER) is None
    assert IDLE_MESSAGE in browser_reopened.get(page.headers["Location"]).text
    assert [r.sid_hash for r in _rows()] == [sid_hash]      # not restored on a new session id


def test_sign_in_page_names_only_known_reasons(client):
    assert SHIFT_MESSAGE in client.get("/login?ended=shift").text
    page = client.get("/login?ended=<script>")
    assert page.status_code == 200 and "data-ended" not in page.text and "<script>" not in page.text


def test_staff_sessions_do_not_end_by_shift_or_idle_time(client, factory):
    manager = factory.user("manager")
    client.post("/login/password", data={"username": manager.username, "password": PASSWORD})
    _age_session(created_at=timedelta(days=2), used_at=timedelta(days=1))
    _fresh_request()
    assert client.get("/orders").status_code == 200 and len(_rows()) == 1


def test_idle_time_zero_ends_operator_sessions_only_at_the_shift_end(app, client, factory, monkeypatch):
    monkeypatch.setitem(app.config, "OPERATOR_IDLE_MINUTES", 0)
    _, _, _, op = factory.floor()
    _sign_in_operator(client, op)
    _age_session(used_at=timedelta(minutes=61))
    _fresh_request()
    assert client.get("/scan").status_code == 200


def test_scan_api_refuses_an_ended_session_and_counts_a_use_of_an_open_one(client, factory):
    _, style, order, op = factory.floor()
    _sign_in_operator(client, op)
    bundle = _first_bundle(order)
    body = {"bundle": bundle.code, "operation": style.operations[0].id, "qty": 1}
    _age_session(used_at=timedelta(minutes=2))
    r = client.post("/api/v1/scans", json={**body, "client_id": "open-1"})
    assert r.status_code == 201 and _ledger() == [(op.id, 1)]
    assert clock.utcnow() - _rows()[0].used_at < timedelta(seconds=30)     # the scan was a use
    _age_session(used_at=timedelta(minutes=61))
    r = client.post("/api/v1/scans", json={**body, "client_id": "late-1"})
    assert r.status_code == 401 and r.json["code"] == "session_ended" and IDLE_MESSAGE in r.json["error"]
    r = client.post("/api/v1/scans", json={**body, "bundle": "ZZZZ2222ZZZZ", "client_id": "late-2"})
    assert r.status_code == 401 and r.json["code"] == "session_ended"       # asked apart: no such bundle
    assert _ledger() == [(op.id, 1)]


def test_scan_queued_before_the_session_ended_still_counts_for_its_operator(app, client, factory):
    _, style, order, op = factory.floor()
    _sign_in_operator(client, op)
    with app.test_request_context():
        queued_identity = identity.operator_token(op.id)    # what the scan page gave its outbox
    _age_session(used_at=timedelta(minutes=61))
    _fresh_request()
    assert client.get("/scan").status_code == 302                      # ended
    r = client.post("/api/v1/scans", json={"bundle": _first_bundle(order).code, "operation": style.operations[0].id,
                                           "qty": None, "client_id": "queued-1", "operator": queued_identity})
    assert r.status_code == 201 and _ledger() == [(op.id, 10)]


def test_next_operator_takes_the_phone_over_with_one_badge_scan(client, factory):
    line, _, _, first = factory.floor()
    second = factory.user("operator", line=line)
    _sign_in_operator(client, first)
    _age_session(used_at=timedelta(minutes=61))
    _fresh_request()
    assert "ended=idle" in client.get("/scan").headers["Location"]   # ended: the sign-in page says why
    r = client.post("/login/badge", data={"badge": badge_payload(second), "next": "/scan"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/scan")
    _fresh_request()
    assert [s.user_id for s in _rows()] == [second.id]      # the first operator's session row is gone
    assert f'<span class="who">{second.name}</span>' in client.get("/scan").text


@pytest.mark.parametrize("start,minutes,tz,now,expected", [
    ("08:00", 480, "UTC", datetime(2026, 3, 10, 15, 59), datetime(2026, 3, 9, 16, 0)),   # before today's end
    ("08:00", 480, "UTC", datetime(2026, 3, 10, 16, 0), datetime(2026, 3, 10, 16, 0)),   # at it
    ("22:00", 480, "UTC", datetime(2026, 3, 10, 23, 0), datetime(2026, 3, 10, 6, 0)),    # night shift
    ("22:00", 480, "UTC", datetime(2026, 3, 11, 6, 30), datetime(2026, 3, 11, 6, 0)),
    ("08:00", 480, "Asia/Dhaka", datetime(2026, 3, 10, 10, 30), datetime(2026, 3, 10, 10, 0)),  # 16:00 +06
])
def test_last_shift_end(app, monkeypatch, start, minutes, tz, now, expected):
    for key, value in (("SHIFT_START", start), ("SHIFT_MINUTES", minutes), ("FACTORY_TIMEZONE", tz)):
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        assert clock.last_shift_end(now) == expected


def test_idle_minutes_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOPFLOOR_SECRET_KEY", "k")
    monkeypatch.setenv("SHOPFLOOR_BOARD_TOKEN", "t")
    monkeypatch.delenv("SHOPFLOOR_OPERATOR_IDLE_MINUTES", raising=False)
    assert Config.from_env(tmp_path).OPERATOR_IDLE_MINUTES == 60
    monkeypatch.setenv("SHOPFLOOR_OPERATOR_IDLE_MINUTES", "20")
    assert Config.from_env(tmp_path).OPERATOR_IDLE_MINUTES == 20
    monkeypatch.setenv("SHOPFLOOR_OPERATOR_IDLE_MINUTES", "twenty")
    with pytest.raises(ValueError, match="SHOPFLOOR_OPERATOR_IDLE_MINUTES"):
        Config.from_env(tmp_path)
