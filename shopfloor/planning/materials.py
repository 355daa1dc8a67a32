"""Materials and suppliers per order; cutting waits for fabric."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from shopfloor import clock, signals
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order
from shopfloor.models.planning import Material, Supplier
from shopfloor.vocabulary import MaterialKind


MAX_QUANTITY = Decimal("9999999999.99")  # Numeric(12, 2)


def _positive(q: Decimal | None, message: str) -> Decimal:
    if q is None or not q.is_finite() or q <= 0 or q > MAX_QUANTITY:
        raise DomainError(message)
    return q


def add_material(order_id: int, *, kind: str, name: str, quantity: Decimal | None, unit: str, supplier: str,
                 ordered_on: date | None, expected_on: date | None) -> Material:
    if db.session.get(Order, order_id) is None:
        raise DomainError(_("That order does not exist."), status=404)
    if kind not in tuple(MaterialKind):
        raise DomainError(_("Material is fabric or trims."))
    if not (name or "").strip():
        raise DomainError(_("Name the material."))
    q = _positive(quantity, _("Quantity must be a number above 0."))
    with write_transaction():
        sup = None
        if (supplier or "").strip():
            sup = db.session.scalar(select(Supplier).where(Supplier.name == supplier.strip()))
            if sup is None:
                sup = Supplier(name=supplier.strip()[:120])
                db.session.add(sup)
                db.session.flush()
        m = Material(order_id=order_id, kind=kind, name=name.strip()[:120], quantity=q, unit=(unit or "m")[:10],
                     supplier_id=sup.id if sup else None, ordered_on=ordered_on, expected_on=expected_on)
        db.session.add(m)
    return m


def receive(material_id: int, quantity: Decimal | None) -> Material:
    m = db.session.get(Material, material_id)
    if m is None:
        raise DomainError(_("That material does not exist."), status=404)
    q = _positive(quantity, _("Received quantity must be a number above 0."))
    with write_transaction():
        m.received = m.received + q
        m.received_on = clock.local_today()
        signals.materials_received.send(None, order_id=m.order_id, kind=m.kind, at=clock.utcnow())
    return m


def fabric_missing(order_id: int) -> list[Material]:
    return [m for m in db.session.scalars(select(Material).where(Material.order_id == order_id,
                                                                 Material.kind == MaterialKind.FABRIC))
            if m.received < m.quantity]


def for_order(order_id: int) -> list[Material]:
    return list(db.session.scalars(select(Material).where(Material.order_id == order_id).order_by(Material.id)))
