"""Signed QR payloads (badges and bundle tickets)."""
from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app

SEP = "."
SIG_LEN = 12  # 72 bits of HMAC-SHA256: tamper-evident, still a small QR


def _sig(kind: str, value: str, key: str | None = None) -> str:
    secret = (key or current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:SIG_LEN]


def sign(kind: str, value: str) -> str:
    return f"{value}{SEP}{_sig(kind, value)}"


def unsign(kind: str, token: str) -> str | None:
    """The value if the token carries a valid signature for kind, else None."""
    value, sep, sig = token.strip().rpartition(SEP)
    if not sep or not value:
        return None
    if hmac.compare_digest(sig, _sig(kind, value)):
        return value
    return None


def has_signature(token: str) -> bool:
    return SEP in token.strip()
