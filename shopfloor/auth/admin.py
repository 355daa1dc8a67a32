"""Admin screen for access: the kiosk token, badges, sign-outs, PIN locks, and the audit log."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.auth import audit, kiosk, services, sessions
from shopfloor.clock import utcnow
from shopfloor.edge import lenient_whole, on_refusal
from shopfloor.people import queries as people_queries

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(message: str | None = None, *, error: str | None = None, board_link: str | None = None,
          badge: tuple[str, str] | None = None, status: int = 200):
    filters = people_queries.Filters.from_args(request.args)
    action = request.args.get("action") if request.args.get("action") in audit.LABELS else None
    before = lenient_whole(request.args.get("before"))
    entries = audit.recent(action=action, before=before)
    older = entries[-1][0].id if len(entries) == audit.PAGE else None
    return render_template("auth/admin.html", people=people_queries.people(filters), filters=filters,
                           roles=people_queries.ROLE_LABELS, limit=people_queries.LIST_LIMIT, entries=entries,
                           actions=audit.actions(), action=action, older=older, newest=before is None,
                           rotated_at=kiosk.rotated_at(), now=utcnow(), message=message, error=error,
                           board_link=board_link, badge=badge, action_label=audit.label,
                           role_label=people_queries.role_label), status


def _refused(e):
    return _page(error=e.message, status=e.status)


@bp.get("/access")
def index():
    return _page()


@bp.post("/access/kiosk")
def rotate_kiosk():
    token = kiosk.rotate(by_user_id=current_user.id)
    return _page(_("New board link made. The old link stops working now: open this one on each board."),
                 board_link=url_for("board.page", token=token, _external=True))


@bp.post("/access/<int:user_id>/badge")
@on_refusal(_refused)
def reissue_badge(user_id: int):
    user = services.reissue_badge(user_id, by_user_id=current_user.id)
    return _page(_("New badge for %(name)s: print it; the old badge no longer signs in.", name=user.name),
                 badge=(user.name, services.badge_payload(user)))


@bp.post("/access/<int:user_id>/badge/revoke")
@on_refusal(_refused)
def revoke_badge(user_id: int):
    user = services.reissue_badge(user_id, by_user_id=current_user.id, revoke=True)
    return _page(_("%(name)s's badge is revoked: it no longer signs in.", name=user.name))


@bp.post("/access/<int:user_id>/sign-out")
def sign_out_user(user_id: int):
    closed = sessions.sign_out_everywhere(user_id, by_user_id=current_user.id)
    return _page(_("Signed out on every device (%(n)d sessions closed).", n=closed))


@bp.post("/access/<int:user_id>/unlock")
@on_refusal(_refused)
def unlock(user_id: int):
    user = services.unlock(user_id, by=current_user)
    return _page(_("%(name)s is unlocked and can sign in again.", name=user.name))
