"""Flask's signed-cookie session, with its signing serializer built once per secret key and verified cookies
remembered.

Flask builds a new serializer (and derives its keys) on every request, and verifies the same cookie again on
every request; under a floor of phones scanning, that is measurable work for nothing (remembering verified
cookies took 9 % of a scan request's instructions off, bench/scan_instructions.py). Cookies, signatures and
expiry are unchanged, except that the cookie is Secure whenever the request came over HTTPS (or
SESSION_COOKIE_SECURE says so), and a static file's answer carries no `Vary: Cookie` (Flask-Login reads the
session after every request, which would add it): a browser keeps a file cached across sign-in and sign-out.
"""
from __future__ import annotations

import time

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

# Cookies whose signature was verified, each with its content and signing time: a phone sends the same cookie
# with every scan, and checking it again (two HMACs, base64, zlib, JSON) is a measurable share of a scan's work.
# An entry is the exact cookie string under the exact serializer (so the exact keys); its age is checked against
# the session lifetime at every use, as a fresh check would; only flat sessions (str, int, float, bool or None
# values: what sign-in writes) are kept, each use getting its own copy. Bounded: when full it starts again empty.
VERIFIED_MAX = 4096
_FLAT = (str, int, bool, float, type(None))

# Endpoints whose answer depends on no cookie (static files, the favicon): their session is never saved.
COOKIE_FREE_ENDPOINTS = frozenset({"static", "public.favicon"})


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._cache: tuple[tuple, object] | None = None
        self._verified: dict[tuple[object, str], tuple[dict, int]] = {}

    def open_session(self, app, request):
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        hit = self._verified.get((s, val))
        if hit is not None:
            data, signed_at = hit
            if 0 <= int(time.time()) - signed_at <= max_age:
                return self.session_class(data)   # a copy: the session is the request's own
        try:
            data, signed = s.loads(val, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(v) in _FLAT for v in data.values()):
            if len(self._verified) >= VERIFIED_MAX:
                self._verified = {}
            self._verified[(s, val)] = (dict(data), int(signed.timestamp()))
        return self.session_class(data)

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._cache
        if cached is not None and cached[0] == key:
            return cached[1]
        serializer = super().get_signing_serializer(app)
        if serializer is not None:
            self._cache = (key, serializer)
        return serializer

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)

    def save_session(self, app, session, response) -> None:
        if request.endpoint in COOKIE_FREE_ENDPOINTS and not session.modified:
            return
        super().save_session(app, session, response)
