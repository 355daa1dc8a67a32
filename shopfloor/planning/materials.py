"""Materials and suppliers per order; cutting waits for fabric."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order
from shopfloor.models.planning import Material, Supplier


def _qty(v, message: str, allow_zero: bool = False) -> Decimal:
    try:
        d = Decimal(str(v).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise DomainError(message) from None
    if d.is_nan() or d < 0 or (d == 0 and not allow_zero):
        raise DomainError(message)
    return d


def _date(v) -> date | None:
    if not v:
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise DomainError(_("Dates must be real dates.")) from None


def add_material(order_id: int, *, kind: str, name: str, quantity, unit: str, supplier: str, ordered_on: str,
                 expected_on: str) -> Material:
    if db.session.get(Order, order_id) is None:
        raise DomainError(_("That order does not exist."), status=404)
    if kind not in ("fabric", "trims"):
        raise DomainError(_("Material is fabric or trims."))
    if not (name or "").strip():
        raise DomainError(_("Name the material."))
    q = _qty(quantity, _("Quantity must be a number above 0."))
    with write_transaction():
        sup = None
        if (supplier or "").strip():
            sup = db.session.scalar(select(Supplier).where(Supplier.name == supplier.strip()))
            if sup is None:
                sup = Supplier(name=supplier.strip()[:120])
                db.session.add(sup)
                db.session.flush()
        m = Material(order_id=order_id, kind=kind, name=name.strip()[:120], quantity=q, unit=(unit or "m")[:10],
                     supplier_id=sup.id if sup else None, ordered_on=_date(ordered_on), expected_on=_date(expected_on))
        db.session.add(m)
    return m


def receive(material_id: int, quantity) -> Material:
    m = db.session.get(Material, material_id)
    if m is None:
        raise DomainError(_("That material does not exist."), status=404)
    q = _qty(quantity, _("Received quantity must be a number above 0."))
    with write_transaction():
        m.received = m.received + q
        m.received_on = clock.local_today()
    return m


def fabric_missing(order_id: int) -> list[Material]:
    return [m for m in db.session.scalars(select(Material).where(Material.order_id == order_id,
                                                                 Material.kind == "fabric"))
            if m.received < m.quantity]


def for_order(order_id: int) -> list[Material]:
    return list(db.session.scalars(select(Material).where(Material.order_id == order_id).order_by(Material.id)))
