"""Time & action calendar: milestones from sourcing to ex-factory; floor events close them."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order
from shopfloor.models.planning import Material, Milestone

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


def floor_actuals(order: Order) -> dict[str, date]:
    """What the floor says happened: materials received, cut, first and last sewing, passed final audit."""
    p = {"o": order.id}
    out: dict[str, date] = {}
    for kind, key in (("fabric", "fabric_inhouse"), ("trims", "trims_inhouse")):
        mats = db.session.scalars(select(Material).where(Material.order_id == order.id, Material.kind == kind)).all()
        if mats and all(m.received >= m.quantity for m in mats):
            out[key] = max(m.received_on or clock.local_today() for m in mats)
    cut = db.session.execute(text("SELECT min(created_at) FROM bundles WHERE order_id = :o"), p).scalar()
    if cut:
        out["cutting"] = clock.to_local(_as_dt(cut)).date()
    first = db.session.execute(text("SELECT min(w.created_at) FROM work_log w JOIN bundles b ON b.id = w.bundle_id "
                                    "WHERE b.order_id = :o"), p).scalar()
    if first:
        out["sewing_start"] = clock.to_local(_as_dt(first)).date()
    done = db.session.execute(text("""
        SELECT p.done, (SELECT sum(quantity) FROM order_quantities WHERE order_id = :o) FROM order_op_progress p
        JOIN operations op ON op.id = p.operation_id JOIN orders o ON o.id = p.order_id
        WHERE p.order_id = :o AND op.seq = (SELECT max(o2.seq) FROM operations o2
                                           WHERE o2.style_id = o.style_id AND o2.active)"""), p).first()
    if done and done[0] and done[1] and done[0] >= done[1]:
        last = db.session.execute(text("SELECT max(w.created_at) FROM work_log w JOIN bundles b ON b.id = w.bundle_id "
                                       "WHERE b.order_id = :o"), p).scalar()
        out["sewing_finish"] = clock.to_local(_as_dt(last)).date()
    passed = db.session.execute(text("SELECT min(created_at) FROM aql_audits WHERE order_id = :o AND result = 'pass'"),
                                p).scalar()
    if passed:
        out["final_inspection"] = clock.to_local(_as_dt(passed)).date()
    return out


def _as_dt(v):
    from datetime import datetime

    return v if isinstance(v, datetime) else datetime.fromisoformat(str(v))


def milestones(order: Order) -> list[Milestone]:
    """The order's calendar, with floor events closing milestones (evaluated when read, not on the scan path)."""
    ms = db.session.scalars(select(Milestone).where(Milestone.order_id == order.id).order_by(Milestone.sort)).all()
    if not ms:
        with write_transaction():
            create_milestones(order)
        ms = db.session.scalars(select(Milestone).where(Milestone.order_id == order.id)
                                .order_by(Milestone.sort)).all()
    actual = floor_actuals(order)
    changes = [(m, actual[m.key]) for m in ms if m.key in actual and m.actual is None]
    if changes:
        with write_transaction():
            for m, d in changes:
                m.actual, m.auto = d, True
    return ms


def update_milestone(milestone_id: int, *, planned: str, actual: str, owner: str) -> Milestone:
    m = db.session.get(Milestone, milestone_id)
    if m is None:
        raise DomainError(_("That milestone does not exist."), status=404)
    try:
        planned_d = date.fromisoformat(planned)
        actual_d = date.fromisoformat(actual) if actual else None
    except ValueError:
        raise DomainError(_("Dates must be real dates.")) from None
    with write_transaction():
        m.planned, m.actual, m.owner = planned_d, actual_d, (owner or "").strip()[:80]
        m.auto = False if actual_d else m.auto
    return m


def is_overdue(m: Milestone, today: date | None = None) -> bool:
    return m.actual is None and m.planned < (today or clock.local_today())
