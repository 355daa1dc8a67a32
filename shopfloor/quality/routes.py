"""Quality on the floor: inspect a bundle, rework queue, AQL audits, returns, defect catalogue."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from shopfloor.edge import lenient_whole, on_refusal, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.quality import aql, audits, catalogue, queries, services
from shopfloor.scan.queries import bundle_card_or_error
from shopfloor.security import safe_next
from shopfloor.vocabulary import InspectionResult

bp = Blueprint("quality", __name__)


def _inspect_fragment(code: str, *, message=None, error=None, status=200, inspection=None):
    card, card_error, card_status = bundle_card_or_error(code) if code else (None, None, 200)
    return render_template("quality/_inspect.html", card=card, code=code, defects=catalogue.active_defects(),
                           message=message, error=error or card_error, inspection=inspection,
                           form=request.form), card_status if card_error and status == 200 else status


def _inspect_refused(e: DomainError):
    return _inspect_fragment(request.form.get("bundle", ""), error=e.message, status=e.status)


@bp.get("/qc")
def inspect():
    code = request.args.get("code", "")
    html, status = _inspect_fragment(code)
    return render_template("quality/inspect.html", fragment=Markup(html), code=code), status


@bp.get("/qc/bundle")
def bundle():
    if not request.headers.get("HX-Request"):   # opened directly (a bookmark, a new tab): the whole page
        return inspect()
    return _inspect_fragment(request.args.get("code", ""))


def _entries(form) -> list[services.DefectEntry]:
    out = []
    for d in catalogue.active_defects():
        count = whole(form.get(f"count-{d.id}"), _("Defect counts must be whole numbers."), minimum=0,
                      maximum=10_000, default=0)
        if count:
            op = whole(form.get(f"op-{d.id}"), _("Defects must be traced to an operation of this style."))
            out.append(services.DefectEntry(d.id, op, count))
    return out


@bp.post("/qc/inspections")
@on_refusal(_inspect_refused)
def record():
    f = request.form
    insp = services.record_inspection(
        inspector_id=current_user.id, bundle_ref=f.get("bundle", ""), kind=f.get("kind", ""),
        checked=whole(f.get("checked"), _("Pieces checked must be a whole number."), minimum=1),
        defective=whole(f.get("defective"), _("Defective pieces must be a whole number."), minimum=0),
        entries=_entries(f), operation_id=whole(f.get("operation"), _("Choose the operation audited.")))
    msg = _("Passed: %(n)d pieces checked, no defects.", n=insp.checked) \
        if insp.result == InspectionResult.PASS else \
        _("Failed: %(d)d of %(n)d pieces defective (%(f)d defects). Sent to rework.", d=insp.defective,
          n=insp.checked, f=insp.defects)
    return _inspect_fragment(f.get("bundle", ""), message=msg, inspection=insp)


def _rework_page(error=None, status=200):
    return render_template("quality/rework.html", items=queries.rework_queue(), error=error), status


@bp.get("/qc/rework")
def rework():
    return _rework_page()


@bp.post("/qc/rework/<int:rework_id>/recheck")
@on_refusal(lambda e: _rework_page(e.message, e.status))
def recheck(rework_id: int):
    services.recheck(rework_id, inspector_id=current_user.id,
                     passed=request.form.get("result") == InspectionResult.PASS)
    return redirect(url_for("quality.rework"))


def _my_rework_page(error=None, status=200):
    return render_template("quality/my_rework.html", items=queries.operator_rework(current_user.id),
                           error=error), status


@bp.get("/rework/mine")
def my_rework():
    return _my_rework_page()


@bp.post("/rework/<int:rework_id>/repaired")
@on_refusal(lambda e: _my_rework_page(e.message, e.status))
def repaired(rework_id: int):
    services.mark_repaired(rework_id, user_id=current_user.id,
                           is_staff=current_user.has_role("qc", "supervisor"))
    return redirect(safe_next(request.form.get("next"), url_for("quality.my_rework")))


def _audit_args(values) -> dict:
    """The audit form's lot, level and cartons, typed."""
    return dict(lot=whole(values.get("lot"), _("The lot size must be a whole number of at least 2."), minimum=2),
                level=values.get("level", "II"),
                cartons=whole(values.get("cartons"), _("Cartons must be a whole number."), minimum=0, default=0))


def _audit_page(plan=None, error=None, status=200, args=None):
    return render_template("quality/audit.html", orders=queries.auditable_orders(), plan=plan, error=error,
                           args=args if args is not None else request.args, levels=aql.LEVELS), status


def _audit_refused(e: DomainError):
    f = request.form
    plan = audits.plan_or_none(lenient_whole(f.get("lot")), f.get("level", "II"), lenient_whole(f.get("cartons")) or 0)
    return _audit_page(plan, e.message, e.status, f)


@bp.get("/qc/audit")
@on_refusal(lambda e: _audit_page(None, e.message, e.status))
def audit():
    plan = audits.plan(**_audit_args(request.args)) if request.args.get("lot") else None
    return _audit_page(plan)


@bp.post("/qc/audit")
@on_refusal(_audit_refused)
def audit_record():
    f = request.form
    counts = _("Defect counts must be whole numbers, 0 or more.")
    result = audits.record(order_id=whole(f.get("order"), _("Choose the order being audited.")), **_audit_args(f),
                           cartons_opened=whole(f.get("cartons_opened"), _("Cartons opened must be a whole number."),
                                                minimum=0, default=0),
                           critical=whole(f.get("critical"), counts, minimum=0, default=0),
                           major=whole(f.get("major"), counts, minimum=0, default=0),
                           minor=whole(f.get("minor"), counts, minimum=0, default=0),
                           notes=trimmed(f.get("notes"), max_len=500, label=_("Notes")), inspector_id=current_user.id)
    return redirect(url_for("quality.audit_report", audit_id=result.id))


@bp.get("/qc/audit/<int:audit_id>")
def audit_report(audit_id: int):
    return render_template("quality/audit_report.html", a=audits.get(audit_id))


def _returns_page(error=None, status=200):
    return render_template("quality/returns.html", items=queries.recent_returns(), orders=queries.auditable_orders(),
                           defects=catalogue.active_defects(), error=error, form=request.form), status


@bp.get("/qc/returns")
def returns():
    return _returns_page()


@bp.post("/qc/returns")
@on_refusal(lambda e: _returns_page(e.message, e.status))
def return_record():
    f = request.form
    services.record_return(order_id=whole(f.get("order"), _("That order does not exist."), default=0),
                           reference=trimmed(f.get("reference"), max_len=40, label=_("Reference")),
                           pieces=whole(f.get("pieces"), _("Returned pieces must be a whole number of at least 1."),
                                        minimum=1),
                           defect_type_id=whole(f.get("defect"), _("Unknown defect type.")),
                           reason=trimmed(f.get("reason"), max_len=300, label=_("Reason")),
                           disposition=f.get("disposition", ""),
                           user_id=current_user.id)
    return redirect(url_for("quality.returns"))


def _defects_page(error=None, status=200):
    return render_template("quality/defects.html", items=catalogue.all_defects(), error=error), status


@bp.get("/qc/defects")
def defects():
    return _defects_page()


@bp.post("/qc/defects")
@on_refusal(lambda e: _defects_page(e.message, e.status))
def defect_save():
    f = request.form
    catalogue.save_defect(defect_id=whole(f.get("id"), _("That defect does not exist.")),
                          name=trimmed(f.get("name"), max_len=80, label=_("Name")), severity=f.get("severity", ""),
                          active=f.get("active", "1") == "1")
    return redirect(url_for("quality.defects"))

