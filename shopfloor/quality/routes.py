"""Quality on the floor: inspect a bundle, rework queue, AQL audits, returns, defect catalogue."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from markupsafe import Markup
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shopfloor.auth.login import roles_required
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order, Rework
from shopfloor.quality import aql, audits, catalogue, services
from shopfloor.scan.queries import bundle_card

bp = Blueprint("quality", __name__)
QC = ("qc", "supervisor", "manager")


def _inspect_fragment(code: str, *, message=None, error=None, status=200, inspection=None):
    card = None
    if code:
        try:
            card = bundle_card(code)
        except DomainError as e:
            error, status = e.message, e.status
    return render_template("quality/_inspect.html", card=card, code=code, defects=catalogue.active_defects(),
                           message=message, error=error, inspection=inspection, form=request.form), status


@bp.get("/qc")
@roles_required(*QC)
def inspect():
    code = request.args.get("code", "")
    html, status = _inspect_fragment(code)
    return render_template("quality/inspect.html", fragment=Markup(html), code=code), status


@bp.get("/qc/bundle")
@roles_required(*QC)
def bundle():
    return _inspect_fragment(request.args.get("code", ""))


def _entries(form) -> list[services.DefectEntry]:
    out = []
    for d in catalogue.active_defects():
        raw = form.get(f"count-{d.id}", "0").strip() or "0"
        try:
            count = int(raw)
        except ValueError:
            raise DomainError(_("Defect counts must be whole numbers.")) from None
        if count:
            op = form.get(f"op-{d.id}", type=int)
            out.append(services.DefectEntry(d.id, op, count))
    return out


@bp.post("/qc/inspections")
@roles_required(*QC)
def record():
    code = request.form.get("bundle", "")
    try:
        insp = services.record_inspection(
            inspector_id=current_user.id, bundle_ref=code, kind=request.form.get("kind", ""),
            checked=request.form.get("checked"), defective=request.form.get("defective"),
            entries=_entries(request.form), operation_id=request.form.get("operation", type=int))
    except DomainError as e:
        return _inspect_fragment(code, error=e.message, status=e.status)
    msg = _("Passed: %(n)d pieces checked, no defects.", n=insp.checked) if insp.result == "pass" else \
        _("Failed: %(d)d of %(n)d pieces defective (%(f)d defects). Sent to rework.", d=insp.defective,
          n=insp.checked, f=insp.defects)
    return _inspect_fragment(code, message=msg, inspection=insp)


@bp.get("/qc/rework")
@roles_required(*QC)
def rework():
    items = db.session.scalars(select(Rework).where(Rework.status != "closed")
                               .order_by(Rework.status.desc(), Rework.created_at)).all()
    return render_template("quality/rework.html", items=items, error=None)


@bp.post("/qc/rework/<int:rework_id>/recheck")
@roles_required(*QC)
def recheck(rework_id: int):
    try:
        services.recheck(rework_id, inspector_id=current_user.id, passed=request.form.get("result") == "pass")
    except DomainError as e:
        items = db.session.scalars(select(Rework).where(Rework.status != "closed")).all()
        return render_template("quality/rework.html", items=items, error=e.message), e.status
    return redirect(url_for("quality.rework"))


@bp.get("/rework/mine")
@roles_required("operator", "supervisor")
def my_rework():
    items = db.session.scalars(select(Rework).where(Rework.operator_id == current_user.id,
                                                    Rework.status == "open").order_by(Rework.created_at)).all()
    return render_template("quality/my_rework.html", items=items, error=None)


@bp.post("/rework/<int:rework_id>/repaired")
@roles_required("operator", "qc", "supervisor", "manager")
def repaired(rework_id: int):
    try:
        services.mark_repaired(rework_id, user_id=current_user.id,
                               is_staff=current_user.has_role("qc", "supervisor", "manager"))
    except DomainError as e:
        items = db.session.scalars(select(Rework).where(Rework.operator_id == current_user.id,
                                                        Rework.status == "open")).all()
        return render_template("quality/my_rework.html", items=items, error=e.message), e.status
    return redirect(request.form.get("next") or url_for("quality.my_rework"))


@bp.get("/qc/audit")
@roles_required(*QC)
def audit():
    orders = db.session.scalars(select(Order).where(Order.status != "cancelled").order_by(Order.number)).all()
    plan, error = None, None
    if request.args.get("lot"):
        try:
            plan = audits.plan(request.args.get("lot"), request.args.get("level", "II"),
                               request.args.get("cartons", "0"))
        except DomainError as e:
            error = e.message
    return render_template("quality/audit.html", orders=orders, plan=plan, error=error, args=request.args,
                           levels=aql.LEVELS)


@bp.post("/qc/audit")
@roles_required(*QC)
def audit_record():
    f = request.form
    try:
        result = audits.record(order_id=f.get("order", type=int), lot=f.get("lot"), level=f.get("level", "II"),
                               cartons=f.get("cartons", "0"), cartons_opened=f.get("cartons_opened", "0"),
                               critical=f.get("critical", "0"), major=f.get("major", "0"),
                               minor=f.get("minor", "0"), notes=f.get("notes", ""), inspector_id=current_user.id)
    except DomainError as e:
        orders = db.session.scalars(select(Order).order_by(Order.number)).all()
        plan = audits.plan_or_none(f.get("lot"), f.get("level", "II"), f.get("cartons", "0"))
        return render_template("quality/audit.html", orders=orders, plan=plan, error=e.message, args=f,
                               levels=aql.LEVELS), e.status
    return redirect(url_for("quality.audit_report", audit_id=result.id))


@bp.get("/qc/audit/<int:audit_id>")
@roles_required(*QC)
def audit_report(audit_id: int):
    return render_template("quality/audit_report.html", a=audits.get(audit_id))


@bp.route("/qc/returns", methods=["GET", "POST"])
@roles_required(*QC)
def returns():
    from shopfloor.models.quality import CustomerReturn

    error, status = None, 200
    if request.method == "POST":
        f = request.form
        try:
            services.record_return(order_id=f.get("order", type=int) or 0, reference=f.get("reference", ""),
                                   pieces=f.get("pieces"), defect_type_id=f.get("defect", type=int),
                                   reason=f.get("reason", ""), disposition=f.get("disposition", ""),
                                   user_id=current_user.id)
            return redirect(url_for("quality.returns"))
        except DomainError as e:
            error, status = e.message, e.status
    items = db.session.scalars(select(CustomerReturn).order_by(CustomerReturn.created_at.desc()).limit(100)).all()
    orders = db.session.scalars(select(Order).order_by(Order.number)).all()
    return render_template("quality/returns.html", items=items, orders=orders, defects=catalogue.active_defects(),
                           error=error, form=request.form), status


@bp.route("/qc/defects", methods=["GET", "POST"])
@roles_required("manager")
def defects():
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        try:
            catalogue.save_defect(defect_id=f.get("id", type=int), name=f.get("name", ""),
                                  severity=f.get("severity", ""), active=f.get("active", "1") == "1")
            return redirect(url_for("quality.defects"))
        except DomainError as e:
            error, status = e.message, e.status
    return render_template("quality/defects.html", items=catalogue.all_defects(), error=error), status
