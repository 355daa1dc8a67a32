"""Shipments: closed cartons of one or more orders, an ex-factory date, carrier and container or truck.

Shipping fixes the shipment and, in the same transaction, sends `signals.shipment_shipped` (planning closes
each order's ex-factory milestone with the shipment's date). A failed final audit of the shipment or of one
of its orders blocks it until a later audit of the same passes (`blocking_audit`).
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shopfloor import clock, signals
from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order
from shopfloor.models.packing import Carton, PackAudit, Shipment
from shopfloor.packing import queries
from shopfloor.packing.services import mark_order_shipped_if_done
from shopfloor.vocabulary import CartonStatus, InspectionResult, ShipmentStatus

SHIPMENT_CREATE, SHIPMENT_ADD, SHIPMENT_REMOVE, SHIPMENT_SHIP = ("shipment_create", "shipment_add", "shipment_remove",
                                                                  "shipment_ship")
audit.LABELS.update({SHIPMENT_CREATE: _l("Shipment created"), SHIPMENT_ADD: _l("Cartons added to a shipment"),
                     SHIPMENT_REMOVE: _l("Cartons taken off a shipment"), SHIPMENT_SHIP: _l("Shipment shipped")})


def get(shipment_id: int) -> Shipment:
    s = db.session.get(Shipment, shipment_id)
    if s is None:
        raise DomainError(_("That shipment does not exist."), status=404)
    return s


def create(*, number: str, ex_factory: date | None, carrier: str, container: str, actor_id: int) -> Shipment:
    if not number:
        raise DomainError(_("Enter the shipment's number."))
    if ex_factory is None:
        raise DomainError(_("Enter the ex-factory date."))
    if db.session.scalar(select(Shipment.id).where(Shipment.number == number)) is not None:
        raise DomainError(_("There is already a shipment %(n)s.", n=number), status=409)
    try:
        with write_transaction():
            s = Shipment(number=number, ex_factory=ex_factory, carrier=carrier, container=container,
                         status=ShipmentStatus.PLANNED, created_by_id=actor_id)
            db.session.add(s)
            db.session.flush()
            audit.record(actor_id, SHIPMENT_CREATE, target=f"shipment {number}", details=f"ex-factory {ex_factory}")
    except IntegrityError:
        raise DomainError(_("There is already a shipment %(n)s.", n=number), status=409) from None
    return s


def _hold_planned(s: Shipment) -> None:
    """In the caller's transaction: the shipment's row held while planned (a ship racing waits, then sees the
    change), or a refusal once it has left."""
    if not db.session.execute(update(Shipment).where(Shipment.id == s.id, Shipment.status == ShipmentStatus.PLANNED)
                              .values(status=ShipmentStatus.PLANNED)).rowcount:
        raise DomainError(_("Shipment %(n)s has left the factory: it cannot change.", n=s.number), status=409)


def _planned_and_order(shipment_id: int, order_id: int | None) -> tuple[Shipment, Order]:
    s = get(shipment_id)
    if s.status != ShipmentStatus.PLANNED:
        raise DomainError(_("Shipment %(n)s has left the factory: it cannot change.", n=s.number), status=409)
    order = db.session.get(Order, order_id or 0)
    if order is None:
        raise DomainError(_("Choose the order whose cartons go."))
    return s, order


def add_order(shipment_id: int, order_id: int | None, *, actor_id: int) -> int:
    """Put every closed carton of the order that is in no shipment yet into this (planned) shipment."""
    s, order = _planned_and_order(shipment_id, order_id)
    with write_transaction():
        _hold_planned(s)
        n = db.session.execute(update(Carton).where(
            Carton.order_id == order.id, Carton.status == CartonStatus.CLOSED, Carton.shipment_id.is_(None))
            .values(shipment_id=s.id)).rowcount
        if not n:
            raise DomainError(_("Order %(o)s has no closed carton waiting to ship.", o=order.number), status=409)
        audit.record(actor_id, SHIPMENT_ADD, target=f"shipment {s.number}", details=f"order {order.number}: {n} cartons")
    return n


def remove_order(shipment_id: int, order_id: int | None, *, actor_id: int) -> int:
    """Take an order's cartons out of a shipment that has not left."""
    s, order = _planned_and_order(shipment_id, order_id)
    with write_transaction():
        _hold_planned(s)
        n = db.session.execute(update(Carton).where(Carton.order_id == order.id, Carton.shipment_id == s.id)
                               .values(shipment_id=None)).rowcount
        if not n:
            raise DomainError(_("Order %(o)s has no cartons in this shipment.", o=order.number), status=409)
        audit.record(actor_id, SHIPMENT_REMOVE, target=f"shipment {s.number}",
                     details=f"order {order.number}: {n} cartons")
    return n


def blocking_audit(shipment: Shipment) -> PackAudit | None:
    """The failed final audit that holds the shipment: per audited thing (the shipment, each of its orders) the
    latest recorded audit counts; a failed one blocks until a re-audit passes."""
    order_ids = [o.id for o in queries.shipment_orders(shipment.id)]
    latest: dict[tuple, PackAudit] = {}
    for a in queries.audits_of(order_ids=order_ids, shipment_id=shipment.id):  # newest first
        if a.result is None:
            continue
        latest.setdefault(("shipment", a.shipment_id) if a.shipment_id else ("order", a.order_id), a)
    failed = [a for a in latest.values() if a.result == InspectionResult.FAIL]
    return failed[0] if failed else None


def ship(shipment_id: int, *, actor_id: int, now: datetime | None = None) -> Shipment:
    s = get(shipment_id)
    if s.status == ShipmentStatus.SHIPPED:
        raise DomainError(_("Shipment %(n)s has shipped already.", n=s.number), status=409)
    orders = queries.shipment_orders(s.id)
    if not orders:
        raise DomainError(_("Shipment %(n)s has no cartons.", n=s.number), status=409)
    blocker = blocking_audit(s)
    if blocker is not None:
        raise DomainError(_("The final audit of %(what)s failed: a re-audit must pass before it ships.",
                            what=blocker.order.number if blocker.order_id else s.number), status=409,
                          code="audit_failed")
    with write_transaction():
        done = db.session.execute(update(Shipment).where(Shipment.id == s.id, Shipment.status == ShipmentStatus.PLANNED)
                                  .values(status=ShipmentStatus.SHIPPED, shipped_at=now or clock.utcnow(),
                                          shipped_by_id=actor_id)).rowcount
        if not done:
            raise DomainError(_("Shipment %(n)s has shipped already.", n=s.number), status=409)
        ids = [o.id for o in orders]
        audit.record(actor_id, SHIPMENT_SHIP, target=f"shipment {s.number}",
                     details=f"orders {','.join(o.number for o in orders)}")
        signals.shipment_shipped.send(None, order_ids=ids, at=s.ex_factory)
        for order_id in ids:
            mark_order_shipped_if_done(order_id)
    db.session.expire_all()
    return get(shipment_id)
