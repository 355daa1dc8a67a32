"""Signed QR payloads (badges and bundle tickets)."""
from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

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
    # Bytes, not str: compare_digest refuses a str holding non-ASCII characters (a forged "X.é").
    if hmac.compare_digest(sig.encode(), _sig(kind, value).encode()):
        return value
    return None


def has_signature(token: str) -> bool:
    return SEP in token.strip()


def safe_next(target: str | None, fallback: str) -> str:
    """A `next=` target only if it is a path on this site, else the fallback (no open redirect).

    Browsers ignore tabs and newlines in URLs and treat a backslash as a slash, so "/\\t/evil" or
    "/\\\\evil" would lead off-site: any such character, a scheme or a host refuses the target.
    """
    t = target or ""
    if not t.startswith("/") or t.startswith(("//", "/\\")):
        return fallback
    if any(ord(c) < 33 or ord(c) == 127 or c == "\\" for c in t):
        return fallback
    parts = urlsplit(t)
    if parts.scheme or parts.netloc:
        return fallback
    return t
