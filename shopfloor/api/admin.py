"""Admin screen for integrations: API tokens (made, shown once, revoked) and webhooks with their delivery log."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor import edge
from shopfloor.api import tokens
from shopfloor.edge import on_refusal
from shopfloor.webhooks import services as webhooks

bp = Blueprint("integrations", __name__, url_prefix="/admin/integrations")


def _page(message: str | None = None, *, error: str | None = None, new_token: str | None = None,
          new_secret: str | None = None, status: int = 200):
    return render_template("api/integrations.html", tokens=tokens.listing(), scopes=tokens.SCOPES,
                           scope_labels=tokens.SCOPE_LABELS, hooks=webhooks.webhooks(), events=webhooks.EVENTS,
                           deliveries=webhooks.recent_deliveries(), message=message, error=error,
                           new_token=new_token, new_secret=new_secret, form=request.form), status


def _refused(e):
    return _page(error=e.message, status=e.status)


@bp.get("")
def index():
    return _page()


@bp.post("/tokens")
@on_refusal(_refused)
def token_create():
    name = edge.trimmed(request.form.get("name"), max_len=200)
    token, secret = tokens.create(name, request.form.getlist("scope"), by_user_id=current_user.id)
    return _page(_("Token %(name)s made. Copy it now: it is not shown again.", name=token.name), new_token=secret)


@bp.post("/tokens/<int:token_id>/revoke")
@on_refusal(_refused)
def token_revoke(token_id: int):
    token = tokens.revoke(token_id, by_user_id=current_user.id)
    return _page(_("Token %(name)s is revoked: it no longer opens the API.", name=token.name))


@bp.post("/webhooks")
@on_refusal(_refused)
def webhook_create():
    hook = webhooks.create(edge.trimmed(request.form.get("url"), max_len=1000), request.form.getlist("event"),
                           by_user_id=current_user.id)
    return _page(_("Webhook added. Its signing secret is shown once: give it to the receiving system."),
                 new_secret=hook.secret)


@bp.post("/webhooks/<int:webhook_id>/delete")
@on_refusal(_refused)
def webhook_delete(webhook_id: int):
    hook = webhooks.delete(webhook_id, by_user_id=current_user.id)
    return _page(_("Webhook to %(url)s removed.", url=hook.url))
