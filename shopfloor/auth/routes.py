from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shopfloor.auth import services
from shopfloor.errors import DomainError

bp = Blueprint("auth", __name__)


def _safe_next() -> str:
    nxt = request.values.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//"):
        return nxt
    return url_for("home.index")


def _render_login(error: str | None = None, status: int = 200, tab: str = "pin"):
    return render_template("auth/login.html", operators=services.operators_for_picker(),
                           error=error, tab=tab, next=request.values.get("next", "")), status


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next())
    return _render_login(tab=request.args.get("tab", "pin"))


@bp.post("/login/pin")
def login_pin():
    try:
        user = services.login_with_pin(int(request.form.get("user_id") or 0), request.form.get("pin", ""))
    except (DomainError, ValueError) as e:
        msg = e.message if isinstance(e, DomainError) else _("Pick your name from the list.")
        return _render_login(msg, getattr(e, "status", 422), "pin")
    login_user(user, remember=True)
    return redirect(_safe_next())


@bp.post("/login/password")
def login_password():
    try:
        user = services.login_with_password(request.form.get("username", ""), request.form.get("password", ""))
    except DomainError as e:
        return _render_login(e.message, e.status, "staff")
    login_user(user, remember=request.form.get("remember") == "1")
    return redirect(_safe_next())


@bp.post("/login/badge")
def login_badge():
    try:
        user = services.login_with_badge(request.form.get("badge", ""))
    except DomainError as e:
        return _render_login(e.message, e.status, "badge")
    login_user(user, remember=True)
    return redirect(_safe_next())


@bp.get("/badge/<path:payload>")
def badge_link(payload: str):
    """A badge QR opened by the phone's own camera: confirm, then sign in by POST."""
    return render_template("auth/badge_confirm.html", payload=payload)


@bp.post("/language")
def language():
    """Choose the interface language (kept in the session; signed-in users keep it on their profile)."""
    from flask import current_app, session

    from shopfloor.auth.services import set_language

    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            set_language(current_user, lang)
    ref = request.referrer or ""
    return redirect(ref if ref.startswith(request.host_url) else url_for("home.index"))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
