"""Flask's signed-cookie session, with its signing serializer built once per secret key.

Flask builds a new serializer (and derives its keys) on every request; under a floor of phones
scanning, that is measurable work for nothing. Cookies, signatures and expiry are unchanged, except that the cookie is Secure
whenever the request came over HTTPS (or SESSION_COOKIE_SECURE says so), and a static file's answer
carries no `Vary: Cookie` (Flask-Login reads the session after every request, which would add it): a
browser keeps a file cached across sign-in and sign-out.
"""
from __future__ import annotations

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface

# Endpoints whose answer depends on no cookie (static files, the favicon): their session is never saved.
COOKIE_FREE_ENDPOINTS = frozenset({"static", "public.favicon"})


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

    def save_session(self, app, session, response) -> None:
        if request.endpoint in COOKIE_FREE_ENDPOINTS and not session.modified:
            return
        super().save_session(app, session, response)
