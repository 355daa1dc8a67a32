"""Time & action calendar: milestones from sourcing to ex-factory; floor events close them."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order
from shopfloor.models.planning import Material, Milestone
from shopfloor.scan.sql import Stmt
from shopfloor.vocabulary import MaterialKind, MilestoneStatus, OrderStatus, StatusRule, became_from

# key, label, days before the due date, default owner
MILESTONES = [
    ("sample_approval", _l("Sample approval"), 45, _l("Merchandiser")),
    ("fabric_booking", _l("Fabric booking"), 40, _l("Purchasing")),
    ("trims_booking", _l("Trims booking"), 35, _l("Purchasing")),
    ("fabric_inhouse", _l("Fabric in-house"), 20, _l("Store")),
    ("trims_inhouse", _l("Trims in-house"), 15, _l("Store")),
    ("pp_meeting", _l("PP meeting"), 12, _l("Production manager")),
    ("cutting", _l("Cutting"), 10, _l("Cutting master")),
    ("sewing_start", _l("Sewing start"), 8, _l("Line supervisor")),
    ("sewing_finish", _l("Sewing finish"), 3, _l("Line supervisor")),
    ("final_inspection", _l("Final inspection"), 2, _l("Quality")),
    ("ex_factory", _l("Ex-factory"), 0, _l("Shipping")),
]
LABELS = {k: label for k, label, _d, _o in MILESTONES}
AUTO_KEYS = ("fabric_inhouse", "trims_inhouse", "cutting", "sewing_start", "sewing_finish", "final_inspection")


def create_milestones(order: Order) -> None:
    """Plan backwards from the due date (called when an order is created)."""
    for i, (key, _label, days, owner) in enumerate(MILESTONES):
        db.session.add(Milestone(order_id=order.id, key=key, sort=i, owner=str(owner),
                                 planned=order.due_date - timedelta(days=days)))


# Floor events close milestones when they are written (subscribed in shopfloor/events.py).
_CLOSE = text("UPDATE milestones SET actual = :d, auto = :t WHERE order_id = :o AND key = :k AND actual IS NULL")
_CLOSE_RAW = Stmt("UPDATE milestones SET actual = :d, auto = :t WHERE order_id = :o AND key = :k AND actual IS NULL")


def _move_raw(to: OrderStatus) -> tuple[Stmt, Stmt]:
    """A rule's status change on the scan's connection: the history row, then the move, both only from a status
    vocabulary.ORDER_TRANSITIONS allows (the history row first: it reads the status being left)."""
    sources = OrderStatus.sql(became_from(to))
    return (Stmt("INSERT INTO order_status_changes (order_id, from_status, to_status, rule, reason, at) "
                 "SELECT id, status, :to, :rule, '', :at FROM orders WHERE id = :o AND status IN " + sources),
            Stmt("UPDATE orders SET status = :to WHERE id = :o AND status IN " + sources))


_START_SEWING_RAW = _move_raw(OrderStatus.SEWING)
_FINISHING_RAW = _move_raw(OrderStatus.FINISHING)
_OUTPUT_COMPLETE_RAW = Stmt("""
SELECT CASE WHEN p.done >= (SELECT sum(q.quantity) FROM order_quantities q WHERE q.order_id = :o) THEN 1 ELSE 0 END
       AS complete
FROM order_op_progress p WHERE p.order_id = :o AND p.operation_id = :op
""")


def _close(order_id: int, key: str, at: datetime | date) -> None:
    day = at if not isinstance(at, datetime) else clock.to_local(at).date()
    db.session.execute(_CLOSE, {"d": day, "t": True, "o": order_id, "k": key})


def on_order_created(_sender, *, order: Order) -> None:
    create_milestones(order)


def on_bundles_cut(_sender, *, order_id: int, at: datetime) -> None:
    _close(order_id, "cutting", at)


def on_materials_received(_sender, *, order_id: int, kind: str, at: datetime) -> None:
    """Fabric (or trims) in-house once every material of that kind is fully received."""
    mats = db.session.scalars(select(Material).where(Material.order_id == order_id, Material.kind == kind)).all()
    if mats and all(m.received >= m.quantity for m in mats):
        key = "fabric_inhouse" if kind == MaterialKind.FABRIC else "trims_inhouse"
        _close(order_id, key, max(m.received_on or clock.to_local(at).date() for m in mats))


def on_audit_passed(_sender, *, order_id: int, at: datetime) -> None:
    _close(order_id, "final_inspection", at)


def on_shipment_shipped(_sender, *, order_ids: list[int], at: datetime) -> None:
    for order_id in order_ids:
        _close(order_id, "ex_factory", at)


def on_sewing_started(_sender, *, raw, order_id: int, at: datetime, **_kw) -> None:
    """In the scan's own transaction: the order's first entry moves it on to sewing and closes sewing start."""
    _rule_moves(raw, _START_SEWING_RAW, OrderStatus.SEWING, StatusRule.FIRST_SCAN, order_id, at)
    raw.run(_CLOSE_RAW, {"d": clock.to_local(at).date(), "t": True, "o": order_id, "k": "sewing_start"})


def on_output_logged(_sender, *, raw, order_id: int, operation_id: int, at: datetime, **_kw) -> None:
    """In the scan's own transaction: output that completes the order (every ordered piece passed the output
    operation) closes sewing finish and moves a sewing order on to finishing."""
    if raw.scalar(_OUTPUT_COMPLETE_RAW, {"o": order_id, "op": operation_id}):  # the one column, `complete`
        raw.run(_CLOSE_RAW, {"d": clock.to_local(at).date(), "t": True, "o": order_id, "k": "sewing_finish"})
        _rule_moves(raw, _FINISHING_RAW, OrderStatus.FINISHING, StatusRule.OUTPUT_DONE, order_id, at)


def _rule_moves(raw, stmts: tuple[Stmt, Stmt], to: OrderStatus, rule: StatusRule, order_id: int, at: datetime):
    history, move = stmts
    raw.run(history, {"to": to.value, "rule": rule.value, "at": at, "o": order_id})
    raw.run(move, {"to": to.value, "o": order_id})


def milestones(order: Order) -> list[Milestone]:
    """The order's calendar as stored: floor events closed their milestones when they happened."""
    return list(db.session.scalars(select(Milestone).where(Milestone.order_id == order.id)
                                   .order_by(Milestone.sort)))


def update_milestone(milestone_id: int, *, planned: date | None, actual: date | None, owner: str) -> Milestone:
    """A manager's correction of a milestone; a manual actual date is no longer marked as automatic."""
    m = db.session.get(Milestone, milestone_id)
    if m is None:
        raise DomainError(_("That milestone does not exist."), status=404)
    if planned is None:
        raise DomainError(_("Dates must be real dates."))
    with write_transaction():
        m.planned, m.actual, m.owner = planned, actual, (owner or "").strip()[:80]
        m.auto = False if actual else m.auto
    return m


def status(m: Milestone, today: date | None = None) -> MilestoneStatus:
    return MilestoneStatus.of(m.planned, m.actual, today or clock.local_today())


def is_overdue(m: Milestone, today: date | None = None) -> bool:
    return status(m, today) == MilestoneStatus.LATE
