"""Inspections, the rework loop and customer returns."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, DefectType, Inspection, InspectionDefect, Operation, Order, Rework, WorkLog
from shopfloor.models.quality import CustomerReturn
from shopfloor.scan.queries import find_bundle
from shopfloor.scan.sql import Stmt
from shopfloor.vocabulary import BundleStatus, Disposition, InspectionKind, InspectionResult, Light, ReworkStatus

INLINE_SAMPLE = 7
KINDS = (InspectionKind.INLINE, InspectionKind.ENDLINE)


def traffic_light(defects: int) -> Light:
    """Inline audit of 7 pieces: 0 defects green, 1 yellow, 2 or more red (stop and fix)."""
    return Light.of(defects)


@dataclass
class DefectEntry:
    defect_type_id: int
    operation_id: int | None
    count: int


def responsible_operator(bundle_id: int, operation_id: int | None) -> int | None:
    """Who did this operation on this bundle: the operator with the most net pieces in the ledger."""
    if operation_id is None:
        return None
    row = db.session.execute(
        select(WorkLog.operator_id, func.sum(WorkLog.pieces).label("n"))
        .where(WorkLog.bundle_id == bundle_id, WorkLog.operation_id == operation_id)
        .group_by(WorkLog.operator_id).having(func.sum(WorkLog.pieces) > 0)
        .order_by(func.sum(WorkLog.pieces).desc())).first()
    return row.operator_id if row else None


def record_inspection(*, inspector_id: int, bundle_ref: str, kind: str, checked: int | None,
                      defective: int | None = None,
                      entries: list[DefectEntry], operator_id: int | None = None,
                      operation_id: int | None = None, now=None) -> Inspection:
    """Record a check of a bundle. Failed pieces open rework for the operator responsible."""
    if kind not in KINDS:
        raise DomainError(_("Choose inline audit or end-line inspection."))
    bundle = find_bundle(bundle_ref)
    style_ops = {o.id: o for o in db.session.scalars(select(Operation).where(
        Operation.style_id == bundle.order.style_id))}
    checked = INLINE_SAMPLE if kind == InspectionKind.INLINE and checked is None else checked
    if checked is None or not 1 <= checked <= bundle.pieces:
        raise DomainError(_("Pieces checked must be a whole number from 1 to %(n)d.", n=bundle.pieces))
    entries = [e for e in entries if e.count]
    for e in entries:
        if e.count < 0:
            raise DomainError(_("Defect counts cannot be negative."))
        if e.operation_id is not None and e.operation_id not in style_ops:
            raise DomainError(_("Defects must be traced to an operation of this style."))
    known = set(db.session.scalars(select(DefectType.id).where(DefectType.active.is_(True))))
    if any(e.defect_type_id not in known for e in entries):
        raise DomainError(_("Unknown defect type."))
    total = sum(e.count for e in entries)
    if defective is None:
        defective = min(total, checked)
    if defective < 0:
        raise DomainError(_("Defective pieces must be a whole number."))
    if defective > checked:
        raise DomainError(_("Defective pieces cannot be more than the pieces checked."))
    if total and not defective:
        raise DomainError(_("Defects were found, so at least one piece is defective."))
    if defective > total:
        raise DomainError(_("Record a defect for every defective piece."))
    if kind == InspectionKind.INLINE:
        if operation_id is None or operation_id not in style_ops:
            raise DomainError(_("An inline audit is of one operation of this style: choose it."))
        operator_id = operator_id or responsible_operator(bundle.id, operation_id)

    with write_transaction():
        insp = Inspection(kind=kind, bundle_id=bundle.id, line_id=bundle.order.line_id, inspector_id=inspector_id,
                          operator_id=operator_id if kind == InspectionKind.INLINE else None,
                          operation_id=operation_id if kind == InspectionKind.INLINE else None, checked=checked,
                          defective=defective, defects=total, result=InspectionResult.FAIL if defective else InspectionResult.PASS,
                          light=traffic_light(total) if kind == InspectionKind.INLINE else None,
                          created_at=now or clock.utcnow())
        for e in entries:
            op_id = e.operation_id if e.operation_id is not None else (operation_id if kind == InspectionKind.INLINE else None)
            insp.items.append(InspectionDefect(defect_type_id=e.defect_type_id, operation_id=op_id,
                                               operator_id=responsible_operator(bundle.id, op_id), count=e.count))
        db.session.add(insp)
        if kind == InspectionKind.ENDLINE:
            bundle.endline_inspected = True
        db.session.flush()
        _open_rework(insp, bundle, defective)
    return insp


def _open_rework(insp: Inspection, bundle: Bundle, defective: int) -> None:
    """Split the defective pieces over the operations the defects were traced to."""
    if not defective:
        return
    by_op: dict[int | None, list[InspectionDefect]] = {}
    for item in insp.items:
        by_op.setdefault(item.operation_id, []).append(item)
    left = defective
    for op_id, items in sorted(by_op.items(), key=lambda kv: -sum(i.count for i in kv[1])):
        pieces = min(left, sum(i.count for i in items))
        if pieces <= 0:
            break
        left -= pieces
        top = max(items, key=lambda i: i.count)
        db.session.add(Rework(bundle_id=bundle.id, order_id=bundle.order_id, inspection_id=insp.id,
                              operation_id=op_id, operator_id=top.operator_id, defect_type_id=top.defect_type_id,
                              pieces=pieces, status=ReworkStatus.OPEN))
    bundle.status = BundleStatus.REWORK


def mark_repaired(rework_id: int, *, user_id: int, is_staff: bool) -> Rework:
    """The operator responsible marks their rework repaired; is_staff (qc or a supervisor) any rework.
    Rework with no operator (customer returns) only staff repair."""
    with write_transaction():
        rw = db.session.get(Rework, rework_id)
        if rw is None:
            raise DomainError(_("That rework does not exist."), status=404)
        if rw.operator_id != user_id and not is_staff:
            raise DomainError(_("This rework belongs to someone else."), status=403)
        if rw.status != ReworkStatus.OPEN:
            raise DomainError(_("This rework is not open."), status=409)
        rw.status, rw.repaired_at = ReworkStatus.REPAIRED, clock.utcnow()
    return rw


def recheck(rework_id: int, *, inspector_id: int, passed: bool) -> Rework:
    """The inspector re-checks repaired pieces: good closes the rework, not good sends it back."""
    with write_transaction():
        rw = db.session.get(Rework, rework_id)
        if rw is None:
            raise DomainError(_("That rework does not exist."), status=404)
        if rw.status != ReworkStatus.REPAIRED:
            raise DomainError(_("Only repaired pieces can be re-checked."), status=409)
        if rw.bundle_id:
            db.session.add(Inspection(kind=InspectionKind.RECHECK, bundle_id=rw.bundle_id, line_id=rw.order.line_id,
                                      inspector_id=inspector_id, checked=rw.pieces,
                                      defective=0 if passed else rw.pieces, defects=0 if passed else rw.pieces,
                                      result=InspectionResult.PASS if passed else InspectionResult.FAIL, created_at=clock.utcnow()))
        if passed:
            rw.status, rw.closed_at, rw.closed_by_id = ReworkStatus.CLOSED, clock.utcnow(), inspector_id
        else:
            rw.status, rw.repaired_at = ReworkStatus.OPEN, None
        db.session.flush()
        if rw.bundle_id and passed:
            still_open = db.session.scalar(select(func.count()).select_from(Rework).where(
                Rework.bundle_id == rw.bundle_id, Rework.status != ReworkStatus.CLOSED))
            if not still_open and rw.bundle.status == BundleStatus.REWORK:
                rw.bundle.status = BundleStatus.OPEN
    return rw


_OPEN_REWORK_BEFORE = Stmt("""
SELECT coalesce(sum(r.pieces), 0) FROM rework r
JOIN operations resp ON resp.id = r.operation_id
JOIN operations target ON target.id = :op
WHERE r.bundle_id = :b AND r.status <> 'closed' AND resp.seq < target.seq
""")


def rework_limit(_sender, *, raw, bundle_id: int, operation_id: int, cap: int, **_kw) -> int:
    """While a bundle is in rework, operations after the responsible one get only the good pieces.

    A receiver of signals.rework_cap (subscribed in shopfloor/events.py).
    """
    return cap - int(raw.scalar(_OPEN_REWORK_BEFORE, {"b": bundle_id, "op": operation_id}))


def record_return(*, order_id: int, reference: str, pieces: int | None, defect_type_id: int | None, reason: str,
                  disposition: str, user_id: int) -> CustomerReturn:
    order = db.session.get(Order, order_id)
    if order is None:
        raise DomainError(_("That order does not exist."), status=404)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Enter the customer's return reference."))
    if pieces is None or pieces < 1:
        raise DomainError(_("Returned pieces must be a whole number of at least 1."))
    if pieces > order.total_quantity:
        raise DomainError(_("More pieces returned (%(n)d) than the order holds (%(q)d).", n=pieces,
                            q=order.total_quantity))
    if disposition not in tuple(Disposition):
        raise DomainError(_("Choose what happens to the pieces: repair, scrap or restock."))
    if defect_type_id is not None and db.session.get(DefectType, defect_type_id) is None:
        raise DomainError(_("Unknown defect type."))
    if db.session.scalar(select(CustomerReturn.id).where(CustomerReturn.order_id == order.id,
                                                         CustomerReturn.reference == reference)):
        raise DomainError(_("Return %(r)s is already recorded for this order.", r=reference))
    with write_transaction():
        ret = CustomerReturn(order_id=order.id, reference=reference[:40], pieces=pieces,
                             defect_type_id=defect_type_id, reason=(reason or "").strip()[:300],
                             disposition=disposition, created_by_id=user_id)
        db.session.add(ret)
        db.session.flush()
        if disposition == "repair":
            db.session.add(Rework(order_id=order.id, return_id=ret.id, defect_type_id=defect_type_id,
                                  pieces=pieces, status=ReworkStatus.OPEN))
    return ret


def open_rework_pieces(operator_id: int) -> int:
    """Pieces waiting for this operator to repair."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Rework.pieces), 0)).where(
        Rework.operator_id == operator_id, Rework.status == ReworkStatus.OPEN)) or 0)
