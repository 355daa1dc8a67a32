from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shopfloor.auth import services
from shopfloor.edge import on_refusal, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.security import safe_next

bp = Blueprint("auth", __name__)


def _safe_next() -> str:
    return safe_next(request.values.get("next"), url_for("home.index"))


def _render_login(error: str | None = None, status: int = 200, tab: str = "pin"):
    return render_template("auth/login.html", operators=services.operators_for_picker(),
                           error=error, tab=tab, next=request.values.get("next", "")), status


def _refused(tab: str):
    return lambda e: _render_login(e.message, e.status, tab)


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next())
    return _render_login(tab=request.args.get("tab", "pin"))


@bp.post("/login/pin")
@on_refusal(_refused("pin"))
def login_pin():
    user_id = whole(request.form.get("user_id"), _("Pick your name from the list."), minimum=1)
    if user_id is None:
        raise DomainError(_("Pick your name from the list."))
    user = services.login_with_pin(user_id, request.form.get("pin", ""))
    login_user(user, remember=True)
    return redirect(_safe_next())


@bp.post("/login/password")
@on_refusal(_refused("staff"))
def login_password():
    user = services.login_with_password(trimmed(request.form.get("username"), max_len=60),
                                        request.form.get("password", "")[:200])
    login_user(user, remember=request.form.get("remember") == "1")
    return redirect(_safe_next())


@bp.post("/login/badge")
@on_refusal(_refused("badge"))
def login_badge():
    user = services.login_with_badge(request.form.get("badge", "")[:200])
    login_user(user, remember=True)
    return redirect(_safe_next())


@bp.get("/badge/<path:payload>")
def badge_link(payload: str):
    """A badge QR opened by the phone's own camera: confirm, then sign in by POST."""
    return render_template("auth/badge_confirm.html", payload=payload)


@bp.post("/language")
def language():
    """Choose the interface language (kept in the session; signed-in users keep it on their profile)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            services.set_language(current_user, lang)
    ref = request.referrer or ""
    return redirect(ref if ref.startswith(request.host_url) else url_for("home.index"))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
