"""Sign-in sessions held in the database: a signed-out cookie is refused, remember-me tokens rotate.

The session cookie carries the user id and a random session id (`_sid`); the remember-me cookie a random
token. Only their sha256 is stored (`auth_sessions`). Signing out deletes the row, so a copy of either
cookie taken before is refused afterwards; each use of the remember-me cookie replaces its token.
An operator's session also ends at the end of the shift or after some time without use (auth/expiry.py):
its row is then refused, and the sign-in page says why; the next sign-in on that phone deletes it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select, text, update

from shopfloor.auth import audit, expiry
from shopfloor.clock import utcnow
from shopfloor.database import side_transaction, write_transaction
from shopfloor.extensions import db
from shopfloor.models import AuthSession, User

SID_KEY = "_sid"
STALE_DAYS = 30  # rows not used for this long are deleted at the next sign-in


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _remember_seconds() -> int:
    return int(current_app.config["REMEMBER_COOKIE_DURATION"])


def open_session(user_id: int, remember_token: str | None = None, *, replaces: str | None = None) -> str:
    """A session row for one device; returns its random session id (for the session cookie). `replaces`: the
    session id this device held before (someone else signing in on a shared phone): that row is closed."""
    sid = secrets.token_urlsafe(24)
    now = utcnow()
    until = now + timedelta(seconds=_remember_seconds()) if remember_token else None
    with write_transaction():
        db.session.execute(delete(AuthSession).where(AuthSession.used_at < now - timedelta(days=STALE_DAYS)))
        if replaces:
            db.session.execute(delete(AuthSession).where(AuthSession.sid_hash == digest(replaces)))
        db.session.add(AuthSession(user_id=user_id, sid_hash=digest(sid), created_at=now, used_at=now,
                                   remember_hash=digest(remember_token) if remember_token else None,
                                   remember_until=until))
    return sid


def sign_in(user: User, *, remember: bool) -> None:
    """Open a session row for this device and sign the user in (remember: also a remember-me token)."""
    token = secrets.token_urlsafe(32) if remember else None
    _start(user, open_session(user.id, token, replaces=session.get(SID_KEY)))
    if token:
        g.remember_cookie = token
    elif request.cookies.get(cookie_name()):
        g.remember_cookie = ""  # a remember-me cookie of an earlier sign-in is dropped


def _start(user: User, sid: str) -> None:
    login_user(user, remember=False)  # Flask-Login's own remember cookie (the bare user id) is never set
    session[SID_KEY] = sid


def sign_out() -> None:
    """Delete this device's session row (and its remember-me token), then clear the cookies."""
    sid = session.get(SID_KEY)
    if sid:
        with write_transaction():
            db.session.execute(delete(AuthSession).where(AuthSession.sid_hash == digest(sid)))
    logout_user()
    session.pop(SID_KEY, None)
    g.remember_cookie = ""


def sign_out_everywhere(user_id: int, *, by_user_id: int) -> int:
    """Close every session and remember-me token of a user (audited). Returns how many were closed."""
    with write_transaction():
        closed = db.session.execute(delete(AuthSession).where(AuthSession.user_id == user_id)).rowcount
        audit.record(by_user_id, audit.SIGN_OUT_EVERYWHERE, f"user:{user_id}", f"sessions={closed}")
    return closed


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only while this cookie's session row is open (one query) and, for
    an operator, neither past its shift nor idle too long; a use is written at most once a minute."""
    sid = session.get(SID_KEY)
    if not sid or not user_id.isdigit():
        return None
    row = db.session.execute(
        select(User, AuthSession.id, AuthSession.created_at, AuthSession.used_at)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(User.id == int(user_id), AuthSession.sid_hash == digest(sid))).first()
    if row is None:
        return None
    now = utcnow()
    reason = expiry.ended(row.User.role, row.created_at, row.used_at, now, row.User.line_id)
    if reason is not None:
        _ended(reason)
        return None
    if expiry.needs_touch(row.used_at, now, request.endpoint):
        touch(row.id, now)
    return row.User


def touch(session_row_id: int, now) -> None:
    """Write this use as the session's last use (idle time counts from it)."""
    with side_transaction() as conn:  # its own connection: the request's objects stay loaded
        conn.execute(update(AuthSession).where(AuthSession.id == session_row_id).values(used_at=now))


def _ended(reason: expiry.Ended) -> None:
    """An operator's session past its end. Its row stays (refused by the same rule on every request, so every
    request from that phone is answered alike) until the next sign-in on the phone replaces it
    (`open_session(replaces=...)`), or STALE_DAYS pass. The remember-me cookie is dropped; the sign-in page
    says why (`auth/login.init_login_manager`)."""
    g.remember_cookie = ""
    g.session_ended = reason


def cookie_name() -> str:
    return current_app.config["SHOPFLOOR_REMEMBER_COOKIE_NAME"]


def restore_remembered() -> None:
    """No signed-in session but a remember-me cookie: if its token is known and current (and, for an
    operator, the session has not ended), sign in again on a new session id and replace the token (a copy
    of the old cookie no longer works)."""
    token = request.cookies.get(cookie_name())
    if not token or session.get("_user_id"):
        return
    now = utcnow()
    found = db.session.execute(
        select(AuthSession.id, AuthSession.created_at, AuthSession.used_at, User.role, User.line_id)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.remember_hash == digest(token), AuthSession.remember_until > now)).first()
    if found is None:
        g.remember_cookie = ""
        return
    reason = expiry.ended(found.role, found.created_at, found.used_at, now, found.line_id)
    if reason is not None:
        _ended(reason)
        return
    sid, new_token = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    with write_transaction():
        row = db.session.execute(
            update(AuthSession)
            .where(AuthSession.id == found.id, AuthSession.remember_hash == digest(token))
            .values(sid_hash=digest(sid), remember_hash=digest(new_token), used_at=now,
                    remember_until=now + timedelta(seconds=_remember_seconds()))
            .returning(AuthSession.user_id)).first()
        user = db.session.get(User, row.user_id) if row else None
    if user is None or not user.is_active:
        g.remember_cookie = ""
        return
    _start(user, sid)
    g.remember_cookie = new_token


def write_remember_cookie(response):
    """after_request: set or clear the remember-me cookie decided during the request."""
    token = g.pop("remember_cookie", None)
    if token is None:
        return response
    cfg = current_app.config
    secure = bool(cfg["REMEMBER_COOKIE_SECURE"]) or request.is_secure
    if token:
        response.set_cookie(cookie_name(), token, max_age=_remember_seconds(), secure=secure, httponly=True,
                            samesite=cfg["REMEMBER_COOKIE_SAMESITE"], path="/")
    else:
        response.delete_cookie(cookie_name(), secure=secure, httponly=True,
                               samesite=cfg["REMEMBER_COOKIE_SAMESITE"], path="/")
    return response
