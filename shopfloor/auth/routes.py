from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user

from shopfloor.auth import expiry, services, sessions
from shopfloor.edge import on_refusal, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.extensions import limiter
from shopfloor.security import safe_next

bp = Blueprint("auth", __name__)
TABS = {"auth.login_pin": "pin", "auth.login_badge": "badge", "auth.login_password": "staff"}


def _safe_next() -> str:
    return safe_next(request.values.get("next"), url_for("home.index"))


def _render_login(error: str | None = None, status: int = 200, tab: str = "pin"):
    ended = expiry.Ended(request.args["ended"]) if request.args.get("ended") in expiry.REASONS else None
    return render_template("auth/login.html", operators=services.operators_for_picker(),
                           error=error, tab=tab, next=request.values.get("next", ""),
                           ended=expiry.message(ended) if ended else None), status


def _refused(tab: str):
    return lambda e: _render_login(e.message, e.status, tab)


@bp.errorhandler(RateLimitExceeded)
def throttled(_e):
    """Too many sign-in attempts from this address (or for this user name): nothing was checked or counted."""
    return _render_login(_("Too many sign-in attempts. Wait a minute and try again, or ask your supervisor."),
                         429, TABS.get(request.endpoint or "", "pin"))


def _limit(name: str):
    return lambda: current_app.config[name]


def _account_key() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()[:60]


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next())
    return _render_login(tab=request.args.get("tab", "pin"))


@bp.post("/login/pin")
@limiter.limit(_limit("PIN_RATE_PER_ADDRESS"), scope="pin-address")
@on_refusal(_refused("pin"))
def login_pin():
    user_id = whole(request.form.get("user_id"), _("Pick your name from the list."), minimum=1)
    if user_id is None:
        raise DomainError(_("Pick your name from the list."))
    sessions.sign_in(services.login_with_pin(user_id, request.form.get("pin", "")), remember=True)
    return redirect(_safe_next())


@bp.post("/login/password")
@limiter.limit(_limit("PASSWORD_RATE_PER_ADDRESS"), scope="password-address")
@limiter.limit(_limit("PASSWORD_RATE_PER_ACCOUNT"), key_func=_account_key, scope="password-account",
               deduct_when=lambda response: response.status_code == 401)
@on_refusal(_refused("staff"))
def login_password():
    user = services.login_with_password(trimmed(request.form.get("username"), max_len=60),
                                        request.form.get("password", "")[:200])
    sessions.sign_in(user, remember=request.form.get("remember") == "1")
    return redirect(_safe_next())


@bp.post("/login/badge")
@limiter.limit(_limit("PIN_RATE_PER_ADDRESS"), scope="badge-address")
@on_refusal(_refused("badge"))
def login_badge():
    sessions.sign_in(services.login_with_badge(request.form.get("badge", "")[:200]), remember=True)
    return redirect(_safe_next())


@bp.get("/badge/<path:payload>")
def badge_link(payload: str):
    """A badge QR opened by the phone's own camera: confirm, then sign in by POST."""
    return render_template("auth/badge_confirm.html", payload=payload)


def _back_on_site() -> str:
    """The page the language was chosen on, as a path on this site (never another host)."""
    ref = urlsplit(request.referrer or "")
    if ref.netloc != request.host:
        return url_for("home.index")
    path = ref.path + (f"?{ref.query}" if ref.query else "")
    return safe_next(path, url_for("home.index"))


@bp.post("/language")
def language():
    """Choose the interface language (kept in the session; signed-in users keep it on their profile)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            services.set_language(current_user, lang)
    return redirect(_back_on_site())


@bp.post("/logout")
def logout():
    sessions.sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
def logout_everywhere():
    """Sign out on every device (e.g. a lost phone): every session and remember-me token of this user."""
    sessions.sign_out_everywhere(current_user.id, by_user_id=current_user.id)
    sessions.sign_out()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/operators/<int:user_id>/unlock")
def unlock(user_id: int):
    """A supervisor lifts an operator's PIN lock from the phone (audited: who, when)."""
    user = services.unlock(user_id, by=current_user)
    flash(_("%(name)s is unlocked and can sign in again.", name=user.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for("supervise.index")))
