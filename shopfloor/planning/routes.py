"""Manager planning pages: styles and bulletins, orders, cutting."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from shopfloor.auth.login import roles_required
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Operation, Order, Style
from shopfloor.planning import orders as order_forms
from shopfloor.planning import capacity, materials, queries, schedule, styles

bp = Blueprint("planning", __name__)
MANAGER = ("manager",)


def _styles_page(error=None, status=200, form=None):
    items = db.session.scalars(select(Style).order_by(Style.code)).all()
    return render_template("planning/styles.html", items=items, error=error, form=form or {}), status


@bp.get("/styles")
@roles_required(*MANAGER)
def styles_list():
    return _styles_page()


@bp.post("/styles")
@roles_required(*MANAGER)
def style_create():
    f = request.form
    try:
        style = styles.save_style(style_id=None, code=f.get("code", ""), name=f.get("name", ""),
                                  sizes=f.get("sizes", ""), target_cost=f.get("target_cost", ""))
    except DomainError as e:
        return _styles_page(e.message, e.status, f)
    return redirect(url_for("planning.style", style_id=style.id))


def _style_page(style_id: int, error=None, status=200):
    style = db.session.get(Style, style_id)
    if style is None:
        abort(404)
    line = db.session.scalar(select(Line).order_by(Line.code))
    eff = float(line.target_efficiency) if line else 0.7
    operators = request.args.get("operators", type=int) or 20
    return render_template("planning/style.html", style=style, figures=styles.bulletin_figures(style, eff, operators),
                           efficiency=eff, operators=operators, error=error), status


@bp.get("/styles/<int:style_id>")
@roles_required(*MANAGER)
def style(style_id: int):
    return _style_page(style_id)


@bp.post("/styles/<int:style_id>")
@roles_required(*MANAGER)
def style_update(style_id: int):
    f = request.form
    try:
        styles.save_style(style_id=style_id, code=f.get("code", ""), name=f.get("name", ""),
                          sizes=f.get("sizes", ""), target_cost=f.get("target_cost", ""))
    except DomainError as e:
        return _style_page(style_id, e.message, e.status)
    return redirect(url_for("planning.style", style_id=style_id))


@bp.post("/styles/<int:style_id>/operations")
@roles_required(*MANAGER)
def operation_add(style_id: int):
    f = request.form
    try:
        styles.add_operation(style_id, name=f.get("name", ""), machine=f.get("machine", ""), sam=f.get("sam", ""),
                             piece_rate=f.get("piece_rate", ""), qc_point=f.get("qc_point") == "1")
    except DomainError as e:
        return _style_page(style_id, e.message, e.status)
    return redirect(url_for("planning.style", style_id=style_id))


@bp.post("/operations/<int:op_id>")
@roles_required(*MANAGER)
def operation_update(op_id: int):
    f = request.form
    op = db.session.get(Operation, op_id)
    if op is None:
        abort(404)
    style_id = op.style_id
    try:
        action = f.get("action", "save")
        if action in ("up", "down"):
            styles.move_operation(op_id, -1 if action == "up" else 1)
        elif action in ("retire", "restore"):
            styles.set_operation_active(op_id, action == "restore")
        else:
            styles.update_operation(op_id, name=f.get("name", ""), machine=f.get("machine", ""),
                                    sam=f.get("sam", ""), piece_rate=f.get("piece_rate", ""),
                                    qc_point=f.get("qc_point") == "1")
    except DomainError as e:
        return _style_page(style_id, e.message, e.status)
    return redirect(url_for("planning.style", style_id=style_id))


def _orders_page(error=None, status=200, form=None):
    f = form or {}
    style_id = f.get("style") if f else None
    all_styles = db.session.scalars(select(Style).where(Style.active.is_(True)).order_by(Style.code)).all()
    chosen = db.session.get(Style, int(style_id)) if style_id else (all_styles[0] if all_styles else None)
    return render_template("planning/orders.html", rows=queries.order_rows(), styles=all_styles, chosen=chosen,
                           lines=db.session.scalars(select(Line).order_by(Line.code)).all(), error=error,
                           form=f), status


@bp.get("/orders")
@roles_required(*MANAGER)
def orders():
    return _orders_page()


@bp.get("/orders/grid")
@roles_required(*MANAGER)
def order_grid():
    style = db.session.get(Style, request.args.get("style", type=int) or 0)
    return render_template("planning/_grid.html", chosen=style, form={})


@bp.post("/orders")
@roles_required(*MANAGER)
def order_create():
    try:
        order = order_forms.new_order(request.form)
    except DomainError as e:
        return _orders_page(e.message, e.status, request.form)
    return redirect(url_for("planning.order", order_id=order.id))


def _order_page(order_id: int, error=None, status=200):
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    size = request.values.get("bundle_size", type=int) or 10
    preview = None
    try:
        preview = order_forms.cut_preview(order, size)
    except DomainError as e:
        error = error or e.message
    return render_template("planning/order.html", order=order, detail=queries.order_detail(order), preview=preview,
                           bundle_size=size, error=error, milestones=schedule.milestones(order),
                           labels=schedule.LABELS, overdue=schedule.is_overdue,
                           materials=materials.for_order(order.id),
                           fabric_missing=materials.fabric_missing(order.id)), status


@bp.get("/orders/<int:order_id>")
@roles_required("manager", "supervisor")
def order(order_id: int):
    return _order_page(order_id)


@bp.post("/orders/<int:order_id>/cut")
@roles_required(*MANAGER)
def order_cut(order_id: int):
    try:
        order_forms.cut(order_id, request.form.get("bundle_size"), request.form.get("fabric_ok") == "1")
    except DomainError as e:
        return _order_page(order_id, e.message, e.status)
    return redirect(url_for("planning.order", order_id=order_id))


@bp.post("/milestones/<int:milestone_id>")
@roles_required(*MANAGER)
def milestone_update(milestone_id: int):
    f = request.form
    try:
        m = schedule.update_milestone(milestone_id, planned=f.get("planned", ""), actual=f.get("actual", ""),
                                      owner=f.get("owner", ""))
    except DomainError as e:
        from shopfloor.models.planning import Milestone

        m = db.session.get(Milestone, milestone_id)
        if m is None:
            abort(404)
        return _order_page(m.order_id, e.message, e.status)
    return redirect(url_for("planning.order", order_id=m.order_id) + "#schedule")


@bp.post("/orders/<int:order_id>/materials")
@roles_required(*MANAGER)
def material_add(order_id: int):
    f = request.form
    try:
        materials.add_material(order_id, kind=f.get("kind", ""), name=f.get("name", ""), quantity=f.get("quantity"),
                               unit=f.get("unit", "m"), supplier=f.get("supplier", ""),
                               ordered_on=f.get("ordered_on", ""), expected_on=f.get("expected_on", ""))
    except DomainError as e:
        return _order_page(order_id, e.message, e.status)
    return redirect(url_for("planning.order", order_id=order_id) + "#materials")


@bp.post("/materials/<int:material_id>/receive")
@roles_required(*MANAGER)
def material_receive(material_id: int):
    from shopfloor.models.planning import Material

    m = db.session.get(Material, material_id)
    if m is None:
        abort(404)
    try:
        materials.receive(material_id, request.form.get("quantity"))
    except DomainError as e:
        return _order_page(m.order_id, e.message, e.status)
    return redirect(url_for("planning.order", order_id=m.order_id) + "#materials")


@bp.get("/schedule")
@roles_required("manager", "supervisor")
def schedule_page():
    return render_template("planning/schedule.html", loads=capacity.line_loads(), timeline=capacity.timeline_svg())
