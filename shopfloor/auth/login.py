"""Flask-Login wiring and the role guard used by every route."""
from __future__ import annotations

from functools import wraps

from flask import abort, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from shopfloor.extensions import db, login_manager
from shopfloor.models import User


def init_login_manager(lm: LoginManager) -> None:
    lm.login_view = "auth.login"
    lm.login_message = _l("Please sign in.")
    lm.login_message_category = "info"
    lm.session_protection = "basic"

    @lm.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    @lm.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return jsonify(error=str(_l("Sign in first."))), 401
        if request.headers.get("HX-Request"):
            resp = jsonify(error=str(_l("Sign in first.")))
            resp.status_code = 401
            resp.headers["HX-Redirect"] = url_for("auth.login", next=request.full_path)
            return resp
        return redirect(url_for("auth.login", next=request.full_path))


def roles_required(*roles: str):
    """Route guard: signed in, active, and holding one of roles (admin passes every check)."""

    def deco(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403)
            return fn(*args, **kwargs)

        wrapper.required_roles = roles  # inspected by the route-guard test
        return wrapper

    return deco


def session_user_id(*roles: str):
    """Guard for the scan API's hot path: the signed session's user id is passed to the view, whose
    service checks role, active flag and line inside its own transaction. Without a session user id
    (e.g. only a remember-me cookie) the normal Flask-Login check runs."""

    def deco(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            uid = session.get("_user_id")
            if uid is None:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not current_user.has_role(*roles):
                    abort(403)
                uid = current_user.id
            return fn(*args, user_id=int(uid), **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return deco
