"""Demo quality history: end-line inspections and inline audits over the demo days, some rework open."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, DefectType, Rework, Role, User, WorkLog
from shopfloor.quality import catalogue, services
from shopfloor.quality.services import DefectEntry
from shopfloor.vocabulary import InspectionKind, ReworkStatus


def seed_quality(rng) -> None:
    catalogue.ensure_default_catalogue()
    inspector = db.session.scalar(select(User).where(User.role == Role.QC.value))
    defects = [d.id for d in db.session.scalars(select(DefectType))]
    weights = [3 if i < 4 else 1 for i in range(len(defects))]  # a realistic Pareto: a few dominate
    # The last logged operation of each bundle tells when and where it was finished.
    rows = db.session.execute(
        select(WorkLog.bundle_id, WorkLog.operation_id, WorkLog.created_at)
        .where(WorkLog.pieces > 0).order_by(WorkLog.bundle_id, WorkLog.created_at)).all()
    last: dict[int, tuple] = {}
    ops_seen: dict[int, list[int]] = {}
    for bundle_id, op_id, ts in rows:
        last[bundle_id] = (op_id, ts)
        ops_seen.setdefault(bundle_id, []).append(op_id)
    picked = [b for b in sorted(last) if rng.random() < 0.35]
    for n, bundle_id in enumerate(picked):
        bundle = db.session.get(Bundle, bundle_id)
        op_id, ts = last[bundle_id]
        kind = InspectionKind.INLINE if n % 3 == 0 else InspectionKind.ENDLINE
        k = rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2] if kind == InspectionKind.INLINE else [0, 0, 0, 1, 1, 2, 3])
        entries = [DefectEntry(d, rng.choice(ops_seen[bundle_id]) if kind == InspectionKind.ENDLINE else None, 1)
                   for d in rng.choices(defects, weights=weights, k=k)]
        try:
            services.record_inspection(inspector_id=inspector.id, bundle_ref=bundle.code, kind=kind,
                                       checked=None if kind == InspectionKind.INLINE else bundle.pieces, entries=entries,
                                       operation_id=op_id if kind == InspectionKind.INLINE else None,
                                       now=ts + timedelta(minutes=rng.uniform(5, 40)))
        except DomainError:  # a demo bundle that cannot be inspected is simply skipped
            db.session.rollback()
    # Most rework is repaired and closed; the newest stays open for the floor to see.
    open_rw = db.session.scalars(select(Rework).where(Rework.status == ReworkStatus.OPEN)
                                 .order_by(Rework.created_at)).all()
    for rw in open_rw[: max(0, len(open_rw) - 6)]:
        services.mark_repaired(rw.id, user_id=rw.operator_id or inspector.id, is_staff=True)
        services.recheck(rw.id, inspector_id=inspector.id, passed=True)
