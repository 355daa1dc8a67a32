"""Test set-up for packing: an order with a plan and cartons, bundles that passed QC, a packer."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Bundle, DefectType
from shopfloor.packing import plans
from shopfloor.scan.services import record_scan
from shopfloor.vocabulary import PackMode


def planned_order(factory, *, qty=None, mode=PackMode.SOLID, per_carton=20, ratio="", make=True):
    """An order (bundles of 10) with a packing plan and, when `make`, its cartons; returns (order, manager)."""
    style = factory.style(sizes="S,M,L,XL")
    order = factory.order(style=style, qty=qty or {("S", "Blue"): 30, ("M", "Blue"): 20})
    manager = factory.user("manager")
    plans.save_plan(order.id, mode=mode, per_carton=per_carton, ratio=ratio, length=Decimal("60"),
                    width=Decimal("40"), height=Decimal("30.5"), net_kg=Decimal("6.000"), gross_kg=Decimal("7.250"),
                    actor_id=manager.id)
    if make:
        cfg = current_app.config
        plans.make_cartons(order.id, actor_id=manager.id, extension=cfg["SSCC_EXTENSION"],
                           company_prefix=cfg["GS1_COMPANY_PREFIX"])
    return order, manager


def bundles(order, size=None, colour=None) -> list[Bundle]:
    q = select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)
    if size:
        q = q.where(Bundle.size == size)
    if colour:
        q = q.where(Bundle.colour == colour)
    return list(db.session.scalars(q))


def sew(factory, order, bundle: Bundle, pieces: int | None = None, operator=None):
    """Log pieces of a bundle at its style's output operation (the last one): they passed the last QC."""
    op = operator or factory.user("operator")
    last = max(order.style.operations, key=lambda o: o.seq)
    record_scan(operator_id=op.id, bundle_ref=bundle.code, operation_id=last.id, qty=pieces or bundle.pieces,
                log_anyway=True)
    return op


def quality_defect(factory):
    """A defect type for failing an inspection."""
    with write_transaction():
        d = DefectType(code="OPEN-SEAM", name="Open seam")
        db.session.add(d)
    return d
