"""Packing by scan: a carton label, then bundles (or fewer pieces typed) into it; closing a carton.

Every refusal is a DomainError in the packer's language and changes nothing. A pack is written once:
the entry's client id is unique (a resent scan finds the first entry), and the pieces are counted with
conditional updates (never more than the bundle passed QC, never more than the carton's plan for that
size x colour, never into a closed carton), so two packers racing on one bundle cannot over-pack it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from shopfloor import clock
from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, User
from shopfloor.models.packing import BundlePacked, Carton, CartonLine, PackEntry
from shopfloor.orders import services as order_services
from shopfloor.packing import queries, sscc
from shopfloor.scan.codes import parse_reference
from shopfloor.vocabulary import CartonStatus, OrderStatus, ShipmentStatus, StatusRule

PACK, CARTON_CLOSE = "carton_pack", "carton_close"
audit.LABELS.update({PACK: _l("Packed into a carton"), CARTON_CLOSE: _l("Carton closed")})

_TAKE_BUNDLE = text("UPDATE bundle_packed SET packed = packed + :n WHERE bundle_id = :b AND packed + :n <= :passed")
_TAKE_LINE = text("UPDATE carton_lines SET packed = packed + :n WHERE carton_id = :c AND size = :s AND colour = :k "
                  "AND packed + :n <= planned")
_TAKE_CARTON = text(
    "UPDATE cartons SET packed = packed + :n, "
    "status = CASE WHEN packed + :n = capacity THEN :closed ELSE status END, "
    "closed_at = CASE WHEN packed + :n = capacity THEN :now ELSE closed_at END, "
    "closed_by_id = CASE WHEN packed + :n = capacity THEN :u ELSE closed_by_id END "
    "WHERE id = :c AND status = :open AND packed + :n <= capacity")
_CLOSE = text("UPDATE cartons SET status = :closed, closed_at = :now, closed_by_id = :u "
              "WHERE id = :c AND status = :open")


@dataclass(frozen=True)
class Packed:
    carton_id: int
    bundle_code: str
    size: str
    colour: str
    pieces: int
    replayed: bool = False


def find_carton(ref: str) -> Carton:
    """A carton from its scanned or typed label (the SSCC, with or without "(00)")."""
    code = sscc.from_scan(ref)
    if code is None:
        if not (ref or "").strip():
            raise DomainError(_("Scan a carton label or type its 18 digits."))
        raise DomainError(_("“%(code)s” is not a carton label (SSCC).", code=(ref or "").strip()[:40]),
                          code="invalid")
    carton = queries.carton_by_sscc(code)
    if carton is None:
        raise DomainError(_("No carton has the label %(code)s.", code=code), status=404, code="unknown")
    return carton


def _carton(carton_id: int) -> Carton:
    carton = db.session.get(Carton, carton_id)
    if carton is None:
        raise DomainError(_("That carton does not exist."), status=404)
    return carton


def _replay(client_id: str, carton_id: int) -> Packed | None:
    e = db.session.scalar(select(PackEntry).where(PackEntry.client_id == client_id))
    if e is None:
        return None
    if e.carton_id != carton_id:
        raise DomainError(_("This scan was already used for another carton. Scan the bundle again."), status=409)
    return Packed(e.carton_id, e.bundle.code, e.size, e.colour, e.pieces, replayed=True)


def pack(carton_id: int, bundle_ref: str, pieces: int | None, *, client_id: str, actor: User,
         now: datetime | None = None) -> Packed:
    """Put a bundle's pieces (all that may go, or `pieces`) into the carton."""
    if not client_id:
        raise DomainError(_("Reload the page and scan again."), status=400)
    earlier = _replay(client_id, carton_id)
    if earlier is not None:
        return earlier
    carton = _carton(carton_id)
    label = _("carton %(n)d", n=carton.number)
    if carton.status == CartonStatus.CLOSED:
        raise DomainError(_("Carton %(n)d is closed: scan an open carton.", n=carton.number), status=409, code="closed")
    bundle = db.session.scalar(select(Bundle).where(Bundle.code == parse_reference(bundle_ref)))
    if bundle is None:
        raise DomainError(_("No bundle has that code."), status=404, code="unknown")
    if bundle.order_id != carton.order_id:
        raise DomainError(_("Bundle %(code)s is of order %(other)s; this carton is for %(order)s.", code=bundle.code,
                            other=bundle.order.number, order=carton.order.number), code="other_order")
    line = db.session.get(CartonLine, (carton.id, bundle.size, bundle.colour))
    if line is None:
        raise DomainError(_("%(size)s · %(colour)s is not planned for %(carton)s (it holds %(plan)s).",
                            size=bundle.size, colour=bundle.colour, carton=label,
                            plan=", ".join(f"{ln.size} · {ln.colour}" for ln in carton.lines)), code="not_planned")
    passed = queries.passed_qc_pieces(bundle.id)
    available = passed - queries.bundle_packed(bundle.id)
    room = line.planned - line.packed
    if passed <= 0:
        raise DomainError(_("No piece of bundle %(code)s has passed the last QC yet.", code=bundle.code),
                          code="not_passed")
    if available <= 0:
        raise DomainError(_("Every piece of bundle %(code)s that passed QC is packed already.", code=bundle.code),
                          status=409, code="packed")
    if room <= 0:
        raise DomainError(_("%(carton)s has no room left for %(size)s · %(colour)s.", carton=label.capitalize(),
                            size=bundle.size, colour=bundle.colour), status=409, code="full")
    n = pieces if pieces is not None else min(available, room)
    if n > available:
        raise DomainError(_("Only %(n)d pieces of bundle %(code)s passed QC and are not packed yet.", n=available,
                            code=bundle.code), code="not_passed")
    if n > room:
        raise DomainError(_("%(carton)s has room for %(n)d more of %(size)s · %(colour)s.", carton=label.capitalize(),
                            n=room, size=bundle.size, colour=bundle.colour), code="over_plan")
    now = now or clock.utcnow()
    try:
        _write(carton, bundle, line, n, passed, client_id, actor, now)
    except IntegrityError:  # the same client id committed meanwhile (a resent scan racing the first)
        db.session.rollback()
        earlier = _replay(client_id, carton_id)
        if earlier is None:
            raise
        return earlier
    return Packed(carton.id, bundle.code, bundle.size, bundle.colour, n)


def _write(carton: Carton, bundle: Bundle, line: CartonLine, n: int, passed: int, client_id: str, actor: User,
           now: datetime) -> None:
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    c, number, order_id = carton.id, carton.number, carton.order_id
    with write_transaction():
        db.session.execute(insert(BundlePacked).values(bundle_id=bundle.id, pieces=bundle.pieces, packed=0)
                           .on_conflict_do_nothing(index_elements=["bundle_id"]))
        if not db.session.execute(_TAKE_BUNDLE, {"n": n, "b": bundle.id, "passed": passed}).rowcount:
            raise DomainError(_("Another packer packed pieces of bundle %(code)s just now: scan it again.",
                                code=bundle.code), status=409, code="race")
        if not db.session.execute(_TAKE_LINE, {"n": n, "c": c, "s": line.size, "k": line.colour}).rowcount:
            raise DomainError(_("Carton %(n)d filled up just now: scan it again.", n=number), status=409, code="race")
        if not db.session.execute(_TAKE_CARTON, {"n": n, "c": c, "closed": CartonStatus.CLOSED.value,
                                                 "open": CartonStatus.OPEN.value, "now": now, "u": actor.id}).rowcount:
            raise DomainError(_("Carton %(n)d was closed just now.", n=number), status=409, code="closed")
        db.session.add(PackEntry(client_id=client_id, carton_id=c, bundle_id=bundle.id, size=line.size,
                                 colour=line.colour, pieces=n, packed_by_id=actor.id, packed_at=now))
        db.session.flush()
        audit.record(actor.id, PACK, target=f"carton {c}", details=f"bundle {bundle.code} {n} pcs")
        mark_order_packed_if_done(order_id)
    db.session.expire_all()


def close(carton_id: int, *, actor: User, partial_ok: bool, now: datetime | None = None) -> Carton:
    """Close a carton. Full cartons close by themselves; one partly filled only when confirmed."""
    carton = _carton(carton_id)
    if carton.status == CartonStatus.CLOSED:
        raise DomainError(_("Carton %(n)d is closed already.", n=carton.number), status=409, code="closed")
    if carton.packed == 0:
        raise DomainError(_("Carton %(n)d is empty: pack it before closing it.", n=carton.number), code="empty")
    if carton.packed < carton.capacity and not partial_ok:
        raise DomainError(_("Carton %(n)d holds %(p)d of %(c)d pieces. Close it partly filled?", n=carton.number,
                            p=carton.packed, c=carton.capacity), status=409, code="confirm_partial")
    with write_transaction():
        if not db.session.execute(_CLOSE, {"closed": CartonStatus.CLOSED.value, "open": CartonStatus.OPEN.value,
                                           "now": now or clock.utcnow(), "u": actor.id, "c": carton_id}).rowcount:
            raise DomainError(_("Carton %(n)d is closed already.", n=carton.number), status=409, code="closed")
        audit.record(actor.id, CARTON_CLOSE, target=f"carton {carton_id}",
                     details=f"{carton.packed}/{carton.capacity} pcs")
        mark_order_packed_if_done(carton.order_id)
    db.session.expire_all()
    return _carton(carton_id)


# The only places packing and shipping set an order's status (the lifecycle itself belongs to orders/):
# packed when every carton of an order on the floor is closed; shipped when every carton left in a shipment.
def mark_order_packed_if_done(order_id: int) -> None:
    open_left = db.session.scalar(text("SELECT count(*) FROM cartons WHERE order_id = :o AND status = :open"),
                                  {"o": order_id, "open": CartonStatus.OPEN.value})
    if open_left == 0:
        order_services.advance_by_rule(order_id, OrderStatus.PACKED, StatusRule.PACKING)


def mark_order_shipped_if_done(order_id: int) -> None:
    unshipped = db.session.scalar(text(
        "SELECT count(*) FROM cartons c LEFT JOIN shipments s ON s.id = c.shipment_id "
        "WHERE c.order_id = :o AND (s.id IS NULL OR s.status <> :shipped)"),
        {"o": order_id, "shipped": ShipmentStatus.SHIPPED.value})
    if unshipped == 0:
        order_services.advance_by_rule(order_id, OrderStatus.SHIPPED, StatusRule.SHIPPING)


