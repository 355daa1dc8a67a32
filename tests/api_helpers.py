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


def check_against_spec(app, method: str, path: str, resp) -> None:
    """The response's status is declared for the operation and its JSON matches the declared schema."""
    import jsonschema_rs

    from shopfloor.api import spec

    doc = spec.build(app)
    op = doc["paths"][path][method.lower()]
    declared = op["responses"].get(str(resp.status_code))
    assert declared is not None, (method, path, resp.status_code, resp.get_data(as_text=True)[:200])
    schema = declared.get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        jsonschema_rs.validator_for({"components": doc["components"], **schema}).validate(resp.json)
