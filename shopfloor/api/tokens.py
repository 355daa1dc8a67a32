"""API tokens: named, scoped (read, scan, plan), shown once, stored as sha256, revocable, rate-limited.

A request with `Authorization: Bearer <token>` to an endpoint whose rule lists token scopes (roles.py) is let in
by the route guard (auth/login.guard -> `admit`) when the token is known, not revoked and holds the scope; it
needs no session and no CSRF token. Each token has its own rate limit (API_TOKEN_RATE, Flask-Limiter's storage
keyed by the token's id), counted only for token requests. Writes made with a token are audited with the
token's creator as the actor and the token's name in the details (`audit_write`).
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from shopfloor.auth import audit
from shopfloor.auth.sessions import digest
from shopfloor.clock import utcnow
from shopfloor.database import side_transaction, write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db, limiter
from shopfloor.models import ApiToken

READ, SCAN, PLAN = "read", "scan", "plan"
SCOPES = (READ, SCAN, PLAN)
SCOPE_LABELS = {READ: _l("Read (orders, styles, work log, figures)"), SCAN: _l("Scan (log work for an operator)"),
                PLAN: _l("Plan (create orders and styles)")}
PREFIX = "sft_"
NAME_LEN = ApiToken.name.type.length
TOUCH_EVERY = timedelta(minutes=1)   # last-used time written at most this often
DEFAULT_RATE = "600 per minute"

TOKEN_CREATE = "api_token_create"
TOKEN_REVOKE = "api_token_revoke"
TOKEN_WRITE = "api_token_write"
audit.LABELS.update({TOKEN_CREATE: _l("API token created"), TOKEN_REVOKE: _l("API token revoked"),
                     TOKEN_WRITE: _l("Written with an API token")})


def create(name: str, scopes, *, by_user_id: int) -> tuple[ApiToken, str]:
    """A new token; returns the row and the token itself (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name (the system that will use it)."))
    if len(name) > NAME_LEN:
        raise DomainError(_("%(label)s can be at most %(n)d characters long.", label=_("Name"), n=NAME_LEN))
    chosen = [s for s in SCOPES if s in set(scopes or ())]
    if not chosen or len(chosen) != len(set(scopes)):
        raise DomainError(_("Choose what the token may do: read, scan or plan."))
    secret = PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        token = ApiToken(name=name, token_hash=digest(secret), scopes_csv=",".join(chosen), created_by_id=by_user_id,
                         created_at=utcnow())
        db.session.add(token)
        db.session.flush()
        audit.record(by_user_id, TOKEN_CREATE, target=f"api_token:{token.id}", details=f"{name} ({', '.join(chosen)})")
    return token, secret


def revoke(token_id: int, *, by_user_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise DomainError(_("That token does not exist."), status=404)
    if token.revoked_at is not None:
        raise DomainError(_("That token is already revoked."), status=409)
    with write_transaction():
        token.revoked_at = utcnow()
        audit.record(by_user_id, TOKEN_REVOKE, target=f"api_token:{token.id}", details=token.name)
    return token


def listing() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def bearer() -> str | None:
    """The token of an `Authorization: Bearer` header, if the request has one."""
    header = request.headers.get("Authorization")
    if not header or not header[:7].lower() == "bearer ":
        return None
    return header[7:].strip()


def _refuse(status: int, code: str, error: str):
    resp = jsonify(error=error, code=code)
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="shopfloor"'
    return resp


def admit(scopes: frozenset):
    """The guard's check of a token request: None lets it in (g.api_token set), else the refusal to answer."""
    secret = bearer()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret or ""),
                                                     ApiToken.revoked_at.is_(None))) if secret else None
    if token is None:
        return _refuse(401, "bad_token", _("This API token is not valid (unknown or revoked)."))
    if not set(token.scopes) & scopes:
        return _refuse(403, "scope", _("This API token may not do this (scope %(s)s needed).",
                                       s=" or ".join(sorted(scopes))))
    if not _within_rate(token):
        return _refuse(429, "rate_limited", _("Too many requests with this API token; wait a minute."))
    _touch(token)
    g.api_token = token
    return None


def _within_rate(token: ApiToken) -> bool:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    rate = current_app.config.get("API_TOKEN_RATE") or DEFAULT_RATE
    return all(limiter.limiter.hit(item, "api-token", str(token.id)) for item in parse_many(rate))


def _touch(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    with side_transaction() as conn:  # one conditional UPDATE: two processes at once write it once
        conn.execute(update(ApiToken).where(ApiToken.id == token.id,
                                            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - TOUCH_EVERY))
                     .values(last_used_at=now))
    set_committed_value(token, "last_used_at", now)  # what the row now holds, without a flush


def current() -> ApiToken | None:
    """The token this request was let in with (None for a session)."""
    return g.get("api_token")


def actor_id(fallback: int | None = None) -> int | None:
    """Who a write is by: the token's creator for a token request, else the signed-in user."""
    token = current()
    return token.created_by_id if token is not None else fallback


def audit_write(what: str, target: str = "") -> None:
    """Audit a write made with a token (in the caller's write transaction); nothing for a session request."""
    token = current()
    if token is not None:
        audit.record(token.created_by_id, TOKEN_WRITE, target=target, details=f"{token.name}: {what}")
