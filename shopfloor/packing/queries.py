"""Read-only packing and shipping queries: what may be packed, what is packed and shipped, cartons to show."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from shopfloor.extensions import db
from shopfloor.models import Bundle, Order
from shopfloor.models.packing import Carton, CartonLine, PackAudit, PackingPlan, Shipment
from shopfloor.vocabulary import (REWORK_PENDING, BundleStatus, CartonStatus, ReworkStatus, ShipmentStatus,
                                  output_seq_sql)

# "Passed the last QC" (one definition): the pieces of the bundle logged at its style's output operation (the
# last active one, where a garment leaves the line; end-line QC checks these), minus the pieces of the bundle
# in rework not yet re-checked good (a failed end-line or inline inspection opens rework; a re-check closes it).
# A bundle on hold has none. Never below 0.
_PASSED = text(f"""
SELECT b.status AS status,
       COALESCE((SELECT p.done FROM bundle_op_progress p JOIN operations op ON op.id = p.operation_id
                 WHERE p.bundle_id = b.id AND op.style_id = o.style_id AND op.seq = {output_seq_sql('o.style_id')}), 0)
         AS output,
       COALESCE((SELECT sum(r.pieces) FROM rework r WHERE r.bundle_id = b.id
                 AND r.status IN {ReworkStatus.sql(REWORK_PENDING)}), 0) AS in_rework
FROM bundles b JOIN orders o ON o.id = b.order_id WHERE b.id = :b
""")


def passed_qc_pieces(bundle_id: int) -> int:
    """Pieces of a bundle that passed the last QC (see _PASSED above): the most that may ever be packed."""
    row = db.session.execute(_PASSED, {"b": bundle_id}).first()
    if row is None:
        return 0
    m = row._mapping
    if m["status"] == BundleStatus.HOLD.value:
        return 0
    return max(0, int(m["output"]) - int(m["in_rework"]))


def bundle_packed(bundle_id: int) -> int:
    return db.session.scalar(text("SELECT packed FROM bundle_packed WHERE bundle_id = :b"), {"b": bundle_id}) or 0


def pieces_by_size_colour(order_ids: list[int], shipped_only: bool) -> dict[int, dict[tuple[str, str], int]]:
    """Pieces in the cartons of these orders (only those of shipped shipments with shipped_only), per order and
    (size, colour): one query for all of them."""
    out: dict[int, dict[tuple[str, str], int]] = {oid: {} for oid in order_ids}
    if not order_ids:
        return out
    q = (select(Carton.order_id, CartonLine.size, CartonLine.colour, func.sum(CartonLine.packed))
         .join(Carton, Carton.id == CartonLine.carton_id).where(Carton.order_id.in_(order_ids))
         .group_by(Carton.order_id, CartonLine.size, CartonLine.colour))
    if shipped_only:
        q = q.join(Shipment, Shipment.id == Carton.shipment_id).where(Shipment.status == ShipmentStatus.SHIPPED)
    for order_id, size, colour, n in db.session.execute(q):
        if n:
            out[order_id][(size, colour)] = int(n)
    return out


def _pieces_by_size_colour(order_id: int, shipped_only: bool) -> dict[tuple[str, str], int]:
    return pieces_by_size_colour([order_id], shipped_only)[order_id]


def packed_pieces(order_id: int) -> dict[tuple[str, str], int]:
    """Pieces packed into the order's cartons (open or closed, shipped or not), per (size, colour)."""
    return _pieces_by_size_colour(order_id, shipped_only=False)


def shipped_pieces(order_id: int) -> dict[tuple[str, str], int]:
    """Pieces in the order's cartons of shipments that have shipped, per (size, colour)."""
    return _pieces_by_size_colour(order_id, shipped_only=True)


def plan_of(order_id: int) -> PackingPlan | None:
    return db.session.scalar(select(PackingPlan).where(PackingPlan.order_id == order_id))


def cartons_of(order_id: int) -> list[Carton]:
    return list(db.session.scalars(select(Carton).where(Carton.order_id == order_id).order_by(Carton.number)))


def carton_count(order_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Carton).where(Carton.order_id == order_id)) or 0


def carton_by_sscc(code: str) -> Carton | None:
    return db.session.scalar(select(Carton).where(Carton.sscc == code))


@dataclass(frozen=True)
class CartonView:
    carton: Carton
    order: Order
    of: int  # N in "carton n of N"

    @property
    def full(self) -> bool:
        return self.carton.packed >= self.carton.capacity


def carton_view(carton_id: int) -> CartonView | None:
    carton = db.session.get(Carton, carton_id)
    if carton is None:
        return None
    return CartonView(carton, carton.order, carton_count(carton.order_id))


def packable_orders() -> list[Order]:
    """Orders that have cartons or a packing plan (for the office's lists)."""
    ids = select(PackingPlan.order_id)
    return list(db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.due_date, Order.number)))


def closed_unshipped(order_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Carton).where(
        Carton.order_id == order_id, Carton.status == CartonStatus.CLOSED, Carton.shipment_id.is_(None))) or 0


def shipments() -> list[Shipment]:
    return list(db.session.scalars(select(Shipment).order_by(Shipment.ex_factory.desc(), Shipment.id.desc())))


def shipment_orders(shipment_id: int) -> list[Order]:
    ids = select(Carton.order_id).where(Carton.shipment_id == shipment_id)
    return list(db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.number)))


def audits_of(*, order_ids: list[int], shipment_id: int | None) -> list[PackAudit]:
    """Audits of a shipment or of any of these orders, newest first."""
    cond = PackAudit.order_id.in_(order_ids) if order_ids else None
    if shipment_id is not None:
        cond = PackAudit.shipment_id == shipment_id if cond is None else (cond | (PackAudit.shipment_id == shipment_id))
    if cond is None:
        return []
    return list(db.session.scalars(select(PackAudit).where(cond).order_by(PackAudit.id.desc())))


def order_progress(order_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Packed and shipped pieces per order, for lists: order id -> (packed, shipped)."""
    if not order_ids:
        return {}
    shipped = (func.sum(CartonLine.packed).filter(Shipment.status == ShipmentStatus.SHIPPED))
    q = (select(Carton.order_id, func.sum(CartonLine.packed), shipped)
         .join(CartonLine, CartonLine.carton_id == Carton.id)
         .outerjoin(Shipment, Shipment.id == Carton.shipment_id)
         .where(Carton.order_id.in_(order_ids)).group_by(Carton.order_id))
    return {oid: (int(p or 0), int(s or 0)) for oid, p, s in db.session.execute(q)}


def bundle_by_code(code: str) -> Bundle | None:
    return db.session.scalar(select(Bundle).where(Bundle.code == code))
