"""Final audit on packed cartons (an order's or a shipment's): the cartons to open are chosen at random, at
least the square root of the closed cartons (quality/aql.cartons_to_open), and shown to the inspector; the
findings are recorded per carton and judged on the lot's ISO 2859-1 plan (quality/audits.plan: critical 0,
major 2.5, minor 4.0). A pass closes the orders' final inspection milestone (signals.audit_passed)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from shopfloor import clock, signals
from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order
from shopfloor.models.packing import Carton, PackAudit, PackAuditCarton, Shipment
from shopfloor.quality import aql
from shopfloor.quality import audits as lot_plans
from shopfloor.vocabulary import CartonStatus, InspectionResult

AUDIT_START, AUDIT_RECORD = "pack_audit_start", "pack_audit_record"
audit.LABELS.update({AUDIT_START: _l("Final audit started"), AUDIT_RECORD: _l("Final audit recorded")})
_rng = random.SystemRandom()


@dataclass(frozen=True)
class Finding:
    carton_id: int
    critical: int
    major: int
    minor: int


def _lot(order_id: int | None, shipment_id: int | None) -> tuple[Order | None, Shipment | None, list[Carton]]:
    q = select(Carton).where(Carton.status == CartonStatus.CLOSED).order_by(Carton.order_id, Carton.number)
    if shipment_id:
        shipment = db.session.get(Shipment, shipment_id)
        if shipment is None:
            raise DomainError(_("That shipment does not exist."), status=404)
        return None, shipment, list(db.session.scalars(q.where(Carton.shipment_id == shipment.id)))
    order = db.session.get(Order, order_id or 0)
    if order is None:
        raise DomainError(_("Choose the order or shipment being audited."))
    return order, None, list(db.session.scalars(q.where(Carton.order_id == order.id)))


def start(*, order_id: int | None = None, shipment_id: int | None = None, inspector_id: int,
          rng: random.Random | None = None) -> PackAudit:
    """Choose the cartons to open (at random, at least √n) and keep them with the audit."""
    order, shipment, cartons = _lot(order_id, shipment_id)
    if not cartons:
        raise DomainError(_("There is no closed carton to audit yet."), status=409)
    lot = sum(c.packed for c in cartons)
    plan = lot_plans.plan(max(lot, 2), "II", len(cartons))
    chosen = sorted((rng or _rng).sample(cartons, aql.cartons_to_open(len(cartons))),
                    key=lambda c: (c.order_id, c.number))
    with write_transaction():
        a = PackAudit(order_id=order.id if order else None, shipment_id=shipment.id if shipment else None,
                      inspector_id=inspector_id, cartons_total=len(cartons), lot_pieces=lot,
                      major_ac=plan.major.accept, minor_ac=plan.minor.accept)
        a.cartons = [PackAuditCarton(carton_id=c.id, position=i) for i, c in enumerate(chosen)]
        db.session.add(a)
        db.session.flush()
        audit.record(inspector_id, AUDIT_START, target=f"pack audit {a.id}",
                     details=f"open {len(chosen)} of {len(cartons)}: " + ",".join(str(c.number) for c in chosen))
    return a


def get(audit_id: int) -> PackAudit:
    a = db.session.get(PackAudit, audit_id)
    if a is None:
        raise DomainError(_("That audit does not exist."), status=404)
    return a


def record(audit_id: int, findings: list[Finding], *, inspector_id: int, now: datetime | None = None) -> PackAudit:
    """The findings of every chosen carton; the audit passes when none is critical and the majors and minors
    stay within the lot's accept numbers."""
    a = get(audit_id)
    if a.result is not None:
        raise DomainError(_("This audit is recorded already: start a re-audit."), status=409)
    chosen = {c.carton_id for c in a.cartons}
    by_carton = {f.carton_id: f for f in findings}
    if set(by_carton) != chosen:
        raise DomainError(_("Record every carton chosen for the audit, and only those."))
    critical = sum(f.critical for f in findings)
    major = sum(f.major for f in findings)
    minor = sum(f.minor for f in findings)
    passed = critical == 0 and major <= a.major_ac and minor <= a.minor_ac
    result = InspectionResult.PASS if passed else InspectionResult.FAIL
    now = now or clock.utcnow()
    with write_transaction():
        for f in findings:
            db.session.execute(update(PackAuditCarton).where(PackAuditCarton.audit_id == a.id,
                                                             PackAuditCarton.carton_id == f.carton_id)
                               .values(critical=f.critical, major=f.major, minor=f.minor, checked=True))
        done = db.session.execute(update(PackAudit).where(PackAudit.id == a.id, PackAudit.result.is_(None))
                                  .values(result=result, recorded_at=now)).rowcount
        if not done:
            raise DomainError(_("This audit is recorded already: start a re-audit."), status=409)
        audit.record(inspector_id, AUDIT_RECORD, target=f"pack audit {a.id}",
                     details=f"{result.value}: critical {critical}, major {major}, minor {minor}")
        if passed:
            order_ids = [a.order_id] if a.order_id else sorted({c.carton.order_id for c in a.cartons})
            for order_id in order_ids:
                signals.audit_passed.send(None, order_id=order_id, at=now)
    db.session.expire_all()
    return get(audit_id)
