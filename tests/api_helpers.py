"""Helpers for the JSON API tests: an admin-made token and its Authorization header."""
from __future__ import annotations

from flask import g

from shopfloor.api import tokens


def make_token(factory, *scopes: str, name: str = "ERP") -> tuple[object, str, object]:
    """(token row, secret, admin who made it)."""
    admin = factory.user("admin")
    token, secret = tokens.create(name, scopes or ("read",), by_user_id=admin.id)
    g.pop("_login_user", None)
    return token, secret, admin


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
