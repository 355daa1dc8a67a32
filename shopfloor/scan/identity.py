"""Who made a scan queued on a phone: a signed, dated operator identity carried in each outbox item.

A scan queued offline may be sent much later, after its operator signed out and another signed in
on the same phone (or nobody). The identity in the item, not the session that happens to send it,
says whose work it is; an item whose identity does not verify is held for a supervisor.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

_SALT = "shopfloor-outbox-operator"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def operator_token(user_id: int) -> str:
    """The identity the scan page gives its outbox (renewed on every page load)."""
    return _serializer().dumps(int(user_id))


def operator_from_token(token) -> int | None:
    """The operator a queued item names, or None when the signature or its age (OUTBOX_IDENTITY_DAYS) fails."""
    if not isinstance(token, str) or len(token) > 200:
        return None
    try:
        uid = _serializer().loads(token, max_age=int(current_app.config["OUTBOX_IDENTITY_DAYS"]) * 86400)
    except BadSignature:
        return None
    return uid if isinstance(uid, int) and uid > 0 else None
