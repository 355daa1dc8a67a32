"""Phone scan page: read input -> call one service -> render the bundle card fragment."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.auth import services as auth_services
from shopfloor.edge import flag, lenient_whole, on_refusal, trimmed
from shopfloor.models import Role
from shopfloor.quality.services import open_rework_pieces
from shopfloor.scan import identity, queries, services
from shopfloor.stoppages.queries import open_stop_of

bp = Blueprint("scan", __name__)


def _card(ref: str, *, operation_id=None, message=None, status=200, undo=None, error=None, confirm=False,
          qty=None, ask=None):
    # No bundle named (e.g. an undo form without one): the message alone, no card.
    card, card_error, card_status = queries.bundle_card_or_error(ref, current_user, operation_id) if ref.strip() \
        else (None, None, 200)
    return render_template("scan/_card.html", card=card, message=message, error=error or card_error, undo=undo,
                           ref=ref, confirm=confirm, qty=qty, ask=ask), \
        status if error or ask or not card_error else card_status


def _refused(e):
    """The card again, with the refusal in the worker's language and nothing counted; work the operator
    may not claim alone shows the supervisor's confirmation, earlier operations not done yet the
    "log anyway" question, the operation and pieces kept."""
    f = request.form
    ask = e.message if e.code == "confirm_sequence" else None
    return _card(f.get("bundle", ""), operation_id=lenient_whole(f.get("operation")),
                 error=None if ask else e.message, status=e.status, confirm=e.code == "needs_confirmation",
                 qty=lenient_whole(f.get("qty")), ask=ask)


@bp.get("/scan")
def page():
    return render_template("scan/page.html", card=None, ref="", rework=open_rework_pieces(current_user.id),
                           operator_token=identity.operator_token(current_user.id),
                           stop=open_stop_of(current_user.id))


@bp.get("/b/<path:token>")
def ticket_link(token: str):
    """A ticket QR opened by the phone's own camera lands here (inspectors go to the inspection)."""
    if current_user.role == Role.QC:
        return redirect(url_for("quality.inspect", code=token))
    card, error, status = queries.bundle_card_or_error(token, current_user)
    return render_template("scan/page.html", card=card, error=error, ref=token,
                           rework=open_rework_pieces(current_user.id),
                           operator_token=identity.operator_token(current_user.id),
                           stop=open_stop_of(current_user.id)), status


@bp.get("/scan/card")
def card():
    return _card(request.args.get("code", ""), operation_id=lenient_whole(request.args.get("operation")))


@bp.post("/scan/log")
@on_refusal(_refused)
def log():
    f = request.form
    confirmed_by = auth_services.confirming_supervisor(trimmed(f.get("supervisor"), max_len=60),
                                                       f.get("supervisor_password", "")[:200]) \
        if f.get("supervisor") else None
    result = services.record_scan(operator_id=current_user.id, operator_line_id=current_user.line_id,
                                  bundle_ref=f.get("bundle", ""), operation_id=f.get("operation"),
                                  qty=f.get("qty"), client_id=f.get("client_id"), claim_check=True,
                                  confirmed_by=confirmed_by, log_anyway=flag("log_anyway"))
    msg = _("Done: %(n)d pieces logged.", n=result.pieces) if result.created else \
        _("Already saved: %(n)d pieces (this scan was sent twice and counted once).", n=result.pieces)
    return _card(result.bundle_code, operation_id=lenient_whole(f.get("operation")), message=msg,
                 undo=result if result.created else None)


@bp.post("/scan/undo/<int:log_id>")
@on_refusal(_refused)
def undo(log_id: int):
    services.undo_scan(log_id, user_id=current_user.id)
    # The card of the entry's own bundle (whatever the form said): the undo is done either way.
    return _card(queries.entry_bundle_code(log_id), operation_id=lenient_whole(request.form.get("operation")),
                 message=_("Undone. Nothing was counted."))
