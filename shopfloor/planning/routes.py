"""Manager planning pages: styles and bulletins, orders, cutting, materials, schedule."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.edge import day, decimal, flag, lenient_whole, on_refusal, trimmed, whole
from shopfloor.orders import editing, services as order_services
from shopfloor.orders import queries as order_queries
from shopfloor.orders.reconciliation import csv_rows, default_tolerance_pm
from shopfloor.planning import capacity, materials, queries, schedule, styles
from shopfloor.planning.orders import grid_form, grid_rows, parse_grid, parse_tolerance
from shopfloor.spreadsheet import csv_chunks
from shopfloor.vocabulary import ORDERS_EDITABLE, MaterialKind, SequenceCheck

bp = Blueprint("planning", __name__)
DEFAULT_OPERATORS = 20


def _styles_page(error=None, status=200):
    return render_template("planning/styles.html", items=queries.all_styles(), error=error,
                           form=request.form), status


@bp.get("/styles")
def styles_list():
    return _styles_page()


def _style_fields(f) -> dict:
    return dict(code=trimmed(f.get("code"), max_len=30, label=_("Code")),
                name=trimmed(f.get("name"), max_len=120, label=_("Name")),
                sizes=trimmed(f.get("sizes"), max_len=200, label=_("Sizes")),
                target_cost=decimal(f.get("target_cost"), _("Target cost must be a number."), minimum=0),
                sequence_check=trimmed(f.get("sequence_check"), max_len=8) or None)


@bp.post("/styles")
@on_refusal(lambda e: _styles_page(e.message, e.status))
def style_create():
    style = styles.save_style(style_id=None, **_style_fields(request.form))
    return redirect(url_for("planning.style", style_id=style.id))


def _style_page(style_id: int, error=None, status=200, failed=None):
    style = queries.style(style_id)
    eff = queries.planning_efficiency()
    operators = lenient_whole(request.args.get("operators")) or DEFAULT_OPERATORS
    return render_template("planning/style.html", style=style, figures=styles.bulletin_figures(style, eff, operators),
                           efficiency=eff, operators=operators, error=error, form=request.form,
                           failed=failed, sequence_checks=tuple(SequenceCheck)), status


@bp.get("/styles/<int:style_id>")
def style(style_id: int):
    return _style_page(style_id)


@bp.post("/styles/<int:style_id>")
@on_refusal(lambda e: _style_page(request.view_args["style_id"], e.message, e.status, "style"))
def style_update(style_id: int):
    styles.save_style(style_id=style_id, **_style_fields(request.form))
    return redirect(url_for("planning.style", style_id=style_id))


def _operation_fields(f) -> dict:
    return dict(name=trimmed(f.get("name"), max_len=120, label=_("Name")),
                machine=trimmed(f.get("machine"), max_len=60, label=_("Machine")),
                sam=decimal(f.get("sam"), _("SAM must be a number of minutes above 0."), places=3),
                piece_rate=decimal(f.get("piece_rate"), _("Piece rate must be a number, 0 or more, with at most 4 "
                                                          "decimals.")),
                qc_point=flag("qc_point"))


@bp.post("/styles/<int:style_id>/operations")
@on_refusal(lambda e: _style_page(request.view_args["style_id"], e.message, e.status, "add"))
def operation_add(style_id: int):
    styles.add_operation(style_id, **_operation_fields(request.form))
    return redirect(url_for("planning.style", style_id=style_id))


def _operation_refused(e):
    op = queries.operation(request.view_args["op_id"])
    return _style_page(op.style_id, e.message, e.status, op.id)


@bp.post("/operations/<int:op_id>")
@on_refusal(_operation_refused)
def operation_update(op_id: int):
    op = queries.operation(op_id)
    action = request.form.get("action", "save")
    if action in ("up", "down"):
        styles.move_operation(op_id, -1 if action == "up" else 1)
    elif action in ("retire", "restore"):
        styles.set_operation_active(op_id, action == "restore")
    else:
        styles.update_operation(op_id, **_operation_fields(request.form))
    return redirect(url_for("planning.style", style_id=op.style_id))


def _orders_page(error=None, status=200):
    f = request.form
    all_styles = queries.active_styles()
    chosen_id = lenient_whole(f.get("style", request.args.get("style")))
    chosen = next((s for s in all_styles if s.id == chosen_id), all_styles[0] if all_styles else None)
    return render_template("planning/orders.html", rows=queries.order_rows(), styles=all_styles, chosen=chosen,
                           lines=queries.lines(), error=error, form=f, rows_shown=grid_rows(f)), status


@bp.get("/orders")
def orders():
    return _orders_page()


@bp.get("/orders/grid")
def order_grid():
    if not request.headers.get("HX-Request"):   # opened directly (a bookmark, a new tab): the whole page
        return _orders_page()
    chosen = next((s for s in queries.active_styles() if s.id == lenient_whole(request.args.get("style"))), None)
    return render_template("planning/_grid.html", chosen=chosen, form={}, rows_shown=grid_rows({}))


@bp.post("/orders")
@on_refusal(lambda e: _orders_page(e.message, e.status))
def order_create():
    f = request.form
    style_id = whole(f.get("style"), _("Choose a style."))
    chosen = next((s for s in queries.active_styles() if s.id == style_id), None)
    order = order_services.place_order(
        style_id=chosen.id if chosen else None, number=trimmed(f.get("number"), max_len=30, label=_("Order number")),
        customer=trimmed(f.get("customer"), max_len=120, label=_("Customer")),
        due_date=day(f.get("due_date"), _("Enter the due date."), required=True),
        quantities=parse_grid(f, chosen), line_id=whole(f.get("line"), _("That line does not exist.")),
        by_user_id=current_user.id)
    return redirect(url_for("planning.order", order_id=order.id))


def _lifecycle(order, error=None) -> dict:
    """What the lifecycle fragment (planning/_lifecycle.html) shows: status, the manager's actions, history."""
    return dict(order=order, actions=order_queries.actions(order), history=order_queries.history(order.id),
                lifecycle_error=error)


def _order_page(order_id: int, error=None, status=200, failed=None):
    order = queries.order(order_id)
    edit_form = request.form if failed == "edit" else grid_form(order)
    size = lenient_whole(request.values.get("bundle_size")) or order_services.DEFAULT_BUNDLE
    preview = order_services.cut_preview(order, size) if order_services.MIN_BUNDLE <= size <= order_services.MAX_BUNDLE else None
    if preview is None:
        error = error or _("Bundle size must be between %(a)d and %(b)d pieces.", a=order_services.MIN_BUNDLE,
                           b=order_services.MAX_BUNDLE)
    return render_template("planning/order.html", detail=queries.order_detail(order), preview=preview,
                           bundle_size=size, error=error, milestones=schedule.milestones(order),
                           labels=schedule.LABELS, overdue=schedule.is_overdue,
                           materials=materials.for_order(order.id),
                           fabric_missing=materials.fabric_missing(order.id), form=request.form,
                           material_kinds=list(MaterialKind), edit_form=edit_form, rows_shown=grid_rows(edit_form),
                           failed=failed, recon=order_queries.reconciliations([order])[order.id],
                           lines=queries.lines(), default_tolerance=default_tolerance_pm() / 10,
                           editable=order.status in ORDERS_EDITABLE,
                           cuttable=order.status in order_services.ORDERS_CUTTABLE,
                           **_lifecycle(order, error if failed == "status" else None)), status


@bp.get("/orders/<int:order_id>")
def order(order_id: int):
    return _order_page(order_id)


def _order_refused(e):
    return _order_page(request.view_args["order_id"], e.message, e.status)


def _status_refused(e):
    if request.headers.get("HX-Request"):
        order = queries.order(request.view_args["order_id"])
        return render_template("planning/_lifecycle.html", **_lifecycle(order, e.message)), e.status
    return _order_page(request.view_args["order_id"], e.message, e.status, "status")


@bp.post("/orders/<int:order_id>/status")
@on_refusal(_status_refused)
def order_status(order_id: int):
    """A manager holds, releases, cancels or moves an order on, with a reason."""
    order_services.manager_change(order_id, request.form.get("action", ""), by_user_id=current_user.id,
                                  reason=trimmed(request.form.get("reason"), max_len=300, label=_("Reason")))
    if request.headers.get("HX-Request"):
        return render_template("planning/_lifecycle.html", **_lifecycle(queries.order(order_id)))
    return redirect(url_for("planning.order", order_id=order_id) + "#lifecycle")


@bp.post("/orders/<int:order_id>/edit")
@on_refusal(lambda e: _order_page(request.view_args["order_id"], e.message, e.status, "edit"))
def order_update(order_id: int):
    f = request.form
    order = queries.order(order_id)
    editing.edit_order(order_id, editing.OrderEdit(
        customer=trimmed(f.get("customer"), max_len=120, label=_("Customer")),
        due_date=day(f.get("due_date"), _("Enter the due date."), required=True),
        line_id=whole(f.get("line"), _("That line does not exist.")), quantities=parse_grid(f, order.style),
        short_tolerance=parse_tolerance(f.get("short_tolerance"), _("Short tolerance")),
        excess_tolerance=parse_tolerance(f.get("excess_tolerance"), _("Excess tolerance"))),
        by_user_id=current_user.id)
    return redirect(url_for("planning.order", order_id=order_id) + "#reconciliation")


@bp.get("/orders/<int:order_id>/reconciliation.csv")
def order_reconciliation_csv(order_id: int):
    order = queries.order(order_id)
    header, rows = csv_rows([order_queries.reconciliations([order])[order.id]])
    return Response(stream_with_context(csv_chunks(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="reconciliation-{order.id}.csv"'})


@bp.post("/orders/<int:order_id>/cut")
@on_refusal(_order_refused)
def order_cut(order_id: int):
    order_services.cut(order_id, whole(request.form.get("bundle_size"), _("Bundle size must be a whole number.")),
               flag("fabric_ok"))
    return redirect(url_for("planning.order", order_id=order_id))


@bp.post("/milestones/<int:milestone_id>")
@on_refusal(lambda e: _order_page(queries.milestone(request.view_args["milestone_id"]).order_id, e.message,
                                  e.status))
def milestone_update(milestone_id: int):
    f = request.form
    m = schedule.update_milestone(milestone_id, planned=day(f.get("planned"), required=True),
                                  actual=day(f.get("actual")),
                                  owner=trimmed(f.get("owner"), max_len=80, label=_("Owner")))
    return redirect(url_for("planning.order", order_id=m.order_id) + "#schedule")


@bp.post("/orders/<int:order_id>/materials")
@on_refusal(_order_refused)
def material_add(order_id: int):
    f = request.form
    materials.add_material(order_id, kind=f.get("kind", ""), name=trimmed(f.get("name"), max_len=120, label=_("Name")),
                           quantity=decimal(f.get("quantity"), _("Quantity must be a number above 0."), places=2),
                           unit=trimmed(f.get("unit") or "m", max_len=10, label=_("Unit")),
                           supplier=trimmed(f.get("supplier"), max_len=120, label=_("Supplier")),
                           ordered_on=day(f.get("ordered_on")), expected_on=day(f.get("expected_on")))
    return redirect(url_for("planning.order", order_id=order_id) + "#materials")


@bp.post("/materials/<int:material_id>/receive")
@on_refusal(lambda e: _order_page(queries.material(request.view_args["material_id"]).order_id, e.message,
                                  e.status))
def material_receive(material_id: int):
    m = materials.receive(material_id, decimal(request.form.get("quantity"),
                                               _("Received quantity must be a number above 0."), places=2))
    return redirect(url_for("planning.order", order_id=m.order_id) + "#materials")


@bp.get("/schedule")
def schedule_page():
    return render_template("planning/schedule.html", loads=capacity.line_loads(), timeline=capacity.timeline_svg())
