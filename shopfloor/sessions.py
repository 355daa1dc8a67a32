"""Flask's signed-cookie session, with its signing serializer built once per secret key.

Flask builds a new serializer (and derives its keys) on every request; under a floor of phones
scanning, that is measurable work for nothing. Cookies, signatures and expiry are unchanged, except that the cookie is Secure
whenever the request came over HTTPS (or SESSION_COOKIE_SECURE says so).
"""
from __future__ import annotations

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._cache: tuple[tuple, object] | None = None

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
