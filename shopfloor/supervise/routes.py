from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shopfloor.auth.login import roles_required
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, Line, Operation, Order, User, WorkLog
from shopfloor.supervise import queries, services

bp = Blueprint("supervise", __name__)
SUPERVISORS = ("supervisor", "manager")


def _page(error=None, message=None, status=200):
    line_id = request.values.get("line", type=int)
    lines = db.session.scalars(select(Line).order_by(Line.code)).all()
    ops_q = select(User).where(User.role == "operator", User.active.is_(True)).order_by(User.name)
    if line_id:
        ops_q = ops_q.where(User.line_id == line_id)
    running = db.session.scalars(select(Operation).join(Order, Order.style_id == Operation.style_id)
                                 .where(Order.status.in_(("cutting", "sewing")), Operation.active.is_(True))
                                 .distinct().order_by(Operation.style_id, Operation.seq)).all()
    code = request.values.get("code", "").strip().upper()
    entries = []
    if code:
        bundle = db.session.scalar(select(Bundle).where(Bundle.code == code))
        if bundle is None:
            error = error or _("No bundle has the code %(code)s.", code=code)
        else:
            entries = db.session.scalars(select(WorkLog).where(WorkLog.bundle_id == bundle.id)
                                         .order_by(WorkLog.id)).all()
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    return render_template("supervise/page.html", lines=lines, line_id=line_id, flows=queries.line_flows(line_id),
                           operators=db.session.scalars(ops_q).all(), operations=running, code=code, entries=entries,
                           reversed_ids=reversed_ids, error=error, message=message), status


@bp.get("/supervise")
@roles_required(*SUPERVISORS)
def index():
    return _page()


@bp.post("/supervise/assign/<int:user_id>")
@roles_required(*SUPERVISORS)
def assign(user_id: int):
    try:
        services.assign(user_id, line_id=request.form.get("assign_line", type=int),
                        operation_id=request.form.get("operation", type=int))
    except DomainError as e:
        return _page(error=e.message, status=e.status)
    return redirect(url_for("supervise.index", line=request.form.get("line", "")))


@bp.post("/supervise/correct/<int:log_id>")
@roles_required(*SUPERVISORS)
def correct(log_id: int):
    try:
        services.correct(log_id, supervisor_id=current_user.id, reason=request.form.get("reason", ""))
    except DomainError as e:
        return _page(error=e.message, status=e.status)
    return _page(message=_("Corrected: the entry was reversed and the counts went down."))
