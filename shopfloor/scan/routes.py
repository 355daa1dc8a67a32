"""Phone scan page: read input -> call one service -> render the bundle card fragment."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.auth.login import roles_required
from shopfloor.errors import DomainError
from shopfloor.scan import queries, services

bp = Blueprint("scan", __name__)
SCANNERS = ("operator", "supervisor", "manager")


def _card(ref: str, *, operation_id=None, message=None, status=200, undo=None, error=None):
    card = None
    try:
        card = queries.bundle_card(ref, current_user, operation_id)
    except DomainError as e:
        error, status = e.message, e.status
    return render_template("scan/_card.html", card=card, message=message, error=error, undo=undo,
                           ref=ref), status


@bp.get("/scan")
@roles_required(*SCANNERS)
def page():
    from shopfloor.quality.services import open_rework_pieces

    return render_template("scan/page.html", card=None, ref="", rework=open_rework_pieces(current_user.id))


@bp.get("/b/<path:token>")
@roles_required(*SCANNERS, "qc")
def ticket_link(token: str):
    """A ticket QR opened by the phone's own camera lands here (inspectors go to the inspection)."""
    if current_user.role == "qc":
        from flask import redirect, url_for

        return redirect(url_for("quality.inspect", code=token))
    card, error, status = None, None, 200
    try:
        card = queries.bundle_card(token, current_user)
    except DomainError as e:
        error, status = e.message, e.status
    return render_template("scan/page.html", card=card, error=error, ref=token), status


@bp.get("/scan/card")
@roles_required(*SCANNERS)
def card():
    return _card(request.args.get("code", ""), operation_id=request.args.get("operation", type=int))


@bp.post("/scan/log")
@roles_required(*SCANNERS)
def log():
    ref = request.form.get("bundle", "")
    op = request.form.get("operation", type=int)
    try:
        result = services.record_scan(operator_id=current_user.id, operator_line_id=current_user.line_id,
                                      bundle_ref=ref, operation_id=request.form.get("operation"),
                                      qty=request.form.get("qty"), client_id=request.form.get("client_id"))
    except DomainError as e:
        return _card(ref, operation_id=op, error=e.message, status=e.status)
    msg = _("Done: %(n)d pieces logged.", n=result.pieces) if result.created else \
        _("Already saved: %(n)d pieces (this scan was sent twice and counted once).", n=result.pieces)
    return _card(result.bundle_code, operation_id=op, message=msg, undo=result if result.created else None)


@bp.post("/scan/undo/<int:log_id>")
@roles_required(*SCANNERS)
def undo(log_id: int):
    ref = request.form.get("bundle", "")
    try:
        services.undo_scan(log_id, user_id=current_user.id)
    except DomainError as e:
        return _card(ref, error=e.message, status=e.status)
    return _card(ref, operation_id=request.form.get("operation", type=int), message=_("Undone. Nothing was counted."))
