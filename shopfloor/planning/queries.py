"""Read side of the planning pages."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, Operation, Order, OrderOpProgress


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
        WHERE op.seq = (SELECT max(o2.seq) FROM operations o2 WHERE o2.style_id = o.style_id AND o2.active)
    """)).all()
    wanted = set(order_ids)
    return {oid: int(done) for oid, done in rows if oid in wanted}


def order_rows(statuses: tuple[str, ...] | None = None, line_id: int | None = None) -> list[OrderRow]:
    q = select(Order).order_by(Order.due_date, Order.number)
    if statuses:
        q = q.where(Order.status.in_(statuses))
    if line_id is not None:
        q = q.where(Order.line_id == line_id)
    orders = db.session.scalars(q).all()
    cut = dict(db.session.execute(select(Bundle.order_id, func.sum(Bundle.pieces)).group_by(Bundle.order_id)).all())
    out = _last_op_output([o.id for o in orders])
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
    last = next((o for o in reversed(ops) if o.active), None)
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
