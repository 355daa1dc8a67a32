"""The wall board's read-only token: the newest row of `kiosk_tokens` (sha256 only), else the configured one.

Held in the database so that a rotation on the admin screen reaches every server process at once;
until the first rotation the token from the environment or instance/board_token opens the board.
"""
from __future__ import annotations

import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from shopfloor.auth import audit
from shopfloor.auth.sessions import digest
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import KioskToken


def _current_hash() -> str | None:
    return db.session.scalar(select(KioskToken.token_hash).order_by(KioskToken.id.desc()).limit(1))


def is_valid(token: str) -> bool:
    stored = _current_hash()
    if stored is not None:
        return hmac.compare_digest(digest(token), stored)
    expected = current_app.config.get("BOARD_TOKEN") or ""
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def rotate(*, by_user_id: int) -> str:
    """A new random token; the old board link stops working everywhere. Returns the new token (shown once)."""
    token = secrets.token_urlsafe(18)
    with write_transaction():
        db.session.add(KioskToken(token_hash=digest(token), created_by_id=by_user_id))
        audit.record(by_user_id, audit.KIOSK_ROTATE, "board")
    return token


def rotated_at():
    return db.session.scalar(select(KioskToken.created_at).order_by(KioskToken.id.desc()).limit(1))
