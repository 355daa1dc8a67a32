"""Supervisor's page: line flow and bottleneck, operator assignment, corrections by reversal."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.balance.live import bottlenecks
from shopfloor.edge import lenient_whole, on_refusal, trimmed, whole
from shopfloor.scan import held
from shopfloor.supervise import queries, services

bp = Blueprint("supervise", __name__)


def _page(error=None, message=None, status=200):
    line_id = lenient_whole(request.values.get("line"))
    ref = request.values.get("code", "").strip()
    code, entries, lookup_error = queries.bundle_entries(ref) if ref else ("", [], None)
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    lines, operators = queries.lines(), queries.operators(line_id)
    return render_template("supervise/page.html", lines=lines, line_id=line_id,
                           flows=queries.line_flows(line_id), operators=operators,
                           groups=queries.by_line(operators, lines),
                           line_operations=queries.operations_by_line(), bottlenecks=bottlenecks(),
                           code=code or ref, entries=entries,
                           reversed_ids=reversed_ids, error=error or lookup_error, message=message,
                           held=held.pending()), status


def _refused(e):
    return _page(error=e.message, status=e.status)


@bp.get("/supervise")
def index():
    return _page()


@bp.post("/supervise/assign/<int:user_id>")
@on_refusal(_refused)
def assign(user_id: int):
    user = services.assign(user_id, line_id=whole(request.form.get("assign_line"), _("That line does not exist.")),
                           operation_id=whole(request.form.get("operation"), _("That operation does not exist.")),
                           actor_id=current_user.id)
    flash(_("Saved: %(name)s on %(line)s, %(op)s.", name=user.name, line=user.line.code if user.line else "—",
            op=user.assigned_operation.name if user.assigned_operation else _("no operation")), "info")
    return redirect(url_for("supervise.index", line=request.form.get("line", ""), _anchor=f"u{user.id}"), 303)


@bp.post("/supervise/correct/<int:log_id>")
@on_refusal(_refused)
def correct(log_id: int):
    services.correct(log_id, supervisor_id=current_user.id, reason=trimmed(request.form.get("reason"), max_len=200,
                                                                           label=_("Reason")))
    return _page(message=_("Corrected: the entry was reversed and the counts went down."))


@bp.post("/supervise/held/<int:held_id>/credit")
@on_refusal(_refused)
def held_credit(held_id: int):
    result = held.credit(held_id, operator_id=whole(request.form.get("operator"),
                                                   _("Choose the operator who made this scan.")),
                         supervisor_id=current_user.id)
    return _page(message=_("Credited: %(n)d pieces.", n=result.pieces))


@bp.post("/supervise/held/<int:held_id>/discard")
@on_refusal(_refused)
def held_discard(held_id: int):
    held.discard(held_id, supervisor_id=current_user.id, note=trimmed(request.form.get("note"), max_len=500))
    return _page(message=_("Discarded. Nothing was counted."))
