"""Flask-Login wiring and the route guard, which reads the one role table (shopfloor/roles.py)."""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort, g, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from shopfloor import roles
from shopfloor.api import tokens
from shopfloor.auth import expiry, kiosk, sessions
from shopfloor.extensions import login_manager


def init_login_manager(lm: LoginManager) -> None:
    lm.login_view = "auth.login"
    lm.login_message = _l("Please sign in.")
    lm.login_message_category = "info"
    lm.session_protection = "basic"
    lm.user_loader(sessions.load_user)

    @lm.unauthorized_handler
    def unauthorized():
        ended = g.get("session_ended")  # an operator's session past its shift or idle time (auth/expiry.py)
        error = expiry.message(ended) if ended else str(_l("Sign in first."))
        if request.path.startswith("/api/"):
            return jsonify(error=error, code="session_ended" if ended else "signed_out"), 401
        sign_in = url_for("auth.login", next=request.full_path, ended=ended.value if ended else None)
        if request.headers.get("HX-Request"):
            resp = jsonify(error=error)
            resp.status_code = 401
            resp.headers["HX-Redirect"] = sign_in
            return resp
        return redirect(sign_in)


def init_app(app: Flask) -> None:
    """Remember-me first (it may sign the user in again), then the guard; both before any view or form claim."""
    app.before_request(_restore_remembered)
    app.before_request(guard)
    app.after_request(sessions.write_remember_cookie)


def _restore_remembered():
    if request.endpoint != "static":
        sessions.restore_remembered()


def guard():
    """Let the request through only as the role table says: undeclared endpoints are refused to everyone."""
    if request.endpoint is None:  # no such page (404/405 answer on their own)
        return None
    rule = roles.rule_for(request.endpoint)
    if rule is None:
        abort(403)
    if rule.public:
        return None
    if rule.token_scopes and "Authorization" in request.headers:  # no query for a session's request
        if tokens.bearer() is not None:
            return tokens.admit(rule.token_scopes)
    token = request.args.get("token")
    if rule.kiosk and token is not None:
        return None if kiosk.is_valid(token) else abort(403)
    if rule.hot:
        return _hot_path_check()
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(*rule.roles):
        abort(403)
    return None


def _hot_path_check():
    """The scan API: the signed session's user id must belong to an open session row (signed-out cookies are
    refused); role, active flag and line are checked by the scan service in its own statement. A queued scan
    that carries its maker's signed identity (scan/identity.py) needs no session: the view checks it."""
    body = request.get_json(silent=True)
    if isinstance(body, dict) and body.get("operator") is not None:
        return None
    uid = session.get("_user_id")
    if uid is None or not str(uid).isdigit() or not session.get(sessions.SID_KEY):
        return login_manager.unauthorized()
    return None  # whether that session is still open is read with the bundle, in the scan's one statement


def session_user_id(fn):
    """Pass the session's user id to the view without loading the user (the guard checked the session)."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, user_id=int(session["_user_id"]), **kwargs)

    return wrapper
