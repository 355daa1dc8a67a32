"""Read side of the planning pages."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import selectinload

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, Line, Operation, Order, OrderOpProgress, Style
from shopfloor.models.planning import Material, Milestone
from shopfloor.vocabulary import output_operation, output_seq_sql


@dataclass
class OrderRow:
    order: Order
    quantity: int
    cut: int
    output: int

    @property
    def percent(self) -> float:
        return min(100.0, self.output * 100.0 / self.quantity) if self.quantity else 0.0


def _last_op_output(order_ids: list[int]) -> dict[int, int]:
    if not order_ids:
        return {}
    rows = db.session.execute(text("""
        SELECT p.order_id, p.done FROM order_op_progress p JOIN operations op ON op.id = p.operation_id
        JOIN orders o ON o.id = p.order_id
        WHERE o.id IN :ids AND op.seq = """ + output_seq_sql("o.style_id")).bindparams(
        bindparam("ids", expanding=True)), {"ids": order_ids}).all()
    return {oid: int(done) for oid, done in rows}


def order_rows(statuses: tuple | None = None, line_id: int | None = None) -> list[OrderRow]:
    q = select(Order).order_by(Order.due_date, Order.number).options(selectinload(Order.quantities))
    if statuses:
        q = q.where(Order.status.in_(statuses))
    if line_id is not None:
        q = q.where(Order.line_id == line_id)
    orders = db.session.scalars(q).all()
    ids = [o.id for o in orders]
    cut = dict(db.session.execute(select(Bundle.order_id, func.sum(Bundle.pieces))
                                  .where(Bundle.order_id.in_(ids)).group_by(Bundle.order_id)).all())
    out = _last_op_output(ids)
    return [OrderRow(o, o.total_quantity, int(cut.get(o.id, 0) or 0), out.get(o.id, 0)) for o in orders]


@dataclass
class OpProgress:
    op: Operation
    done: int
    remaining: int


def order_detail(order: Order) -> dict:
    ops = db.session.scalars(select(Operation).where(Operation.style_id == order.style_id)
                             .order_by(Operation.seq)).all()
    done = dict(db.session.execute(select(OrderOpProgress.operation_id, OrderOpProgress.done)
                                   .where(OrderOpProgress.order_id == order.id)).all())
    total = order.total_quantity
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()
    last = output_operation(ops)
    by_cell: dict[tuple[str, str], int] = {}
    if last:
        for size, colour, n in db.session.execute(
                select(Bundle.size, Bundle.colour, func.sum(BundleOpProgress.done))
                .join(BundleOpProgress, BundleOpProgress.bundle_id == Bundle.id)
                .where(Bundle.order_id == order.id, BundleOpProgress.operation_id == last.id)
                .group_by(Bundle.size, Bundle.colour)):
            by_cell[(size, colour)] = int(n or 0)
    return {"ops": [OpProgress(o, int(done.get(o.id, 0)), total - int(done.get(o.id, 0))) for o in ops],
            "bundles": bundles, "cells": [(q.size, q.colour, q.quantity, by_cell.get((q.size, q.colour), 0))
                                          for q in order.quantities]}


def _get(model, ident: int | None, message):
    obj = db.session.get(model, ident or 0)
    if obj is None:
        raise DomainError(message, status=404)
    return obj


def style(style_id: int | None) -> Style:
    return _get(Style, style_id, _("That style does not exist."))


def order(order_id: int | None) -> Order:
    return _get(Order, order_id, _("That order does not exist."))


def operation(op_id: int | None) -> Operation:
    return _get(Operation, op_id, _("That operation does not exist."))


def milestone(milestone_id: int | None) -> Milestone:
    return _get(Milestone, milestone_id, _("That milestone does not exist."))


def material(material_id: int | None) -> Material:
    return _get(Material, material_id, _("That material does not exist."))


def all_styles() -> list[Style]:
    return list(db.session.scalars(select(Style).order_by(Style.code)))


def active_styles() -> list[Style]:
    return list(db.session.scalars(select(Style).where(Style.active.is_(True)).order_by(Style.code)))


def lines(include_retired: bool = False) -> list[Line]:
    """The lines in use (a retired line is left out of the pickers; the review still reads its history)."""
    stmt = select(Line).order_by(Line.code)
    return list(db.session.scalars(stmt if include_retired else stmt.where(Line.active.is_(True))))


def planning_efficiency() -> float:
    """The efficiency bulletins are balanced at: the first line's planned efficiency, else 70 %."""
    line = db.session.scalar(select(Line).order_by(Line.code))
    return float(line.target_efficiency) if line else 0.7
