"""AQL final audits: plan from the lot, record the findings, pass or fail."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from shopfloor import clock, signals
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order
from shopfloor.models.quality import AqlAudit
from shopfloor.quality import aql
from shopfloor.vocabulary import InspectionResult


@dataclass
class AuditPlan:
    lot: int
    level: str
    letter: str
    critical: aql.Plan
    major: aql.Plan
    minor: aql.Plan
    cartons: int
    cartons_to_open: int

    @property
    def sample(self) -> int:
        return max(self.critical.sample, self.major.sample, self.minor.sample)


def plan(lot: int | None, level: str = "II", cartons: int | None = 0) -> AuditPlan:
    if lot is None or lot < 2:
        raise DomainError(_("The lot size must be a whole number of at least 2."))
    cartons = cartons or 0
    if cartons < 0:
        raise DomainError(_("Cartons must be a whole number."))
    if level not in aql.LEVELS:
        raise DomainError(_("Inspection level must be I, II or III."))
    return AuditPlan(lot=lot, level=level, letter=aql.code_letter(lot, level),
                     critical=aql.critical_plan(lot, level), major=aql.plan_for(lot, aql.DEFAULT_AQL["major"], level),
                     minor=aql.plan_for(lot, aql.DEFAULT_AQL["minor"], level), cartons=cartons,
                     cartons_to_open=aql.cartons_to_open(cartons))


def plan_or_none(lot: int | None, level: str = "II", cartons: int | None = 0) -> AuditPlan | None:
    """The plan when the inputs make one (to show it again next to an error), else None."""
    try:
        return plan(lot, level, cartons)
    except DomainError:
        return None


def record(*, order_id: int | None, lot: int | None, level: str, cartons: int | None, cartons_opened: int,
           critical: int, major: int, minor: int, notes: str, inspector_id: int) -> AqlAudit:
    order = db.session.get(Order, order_id or 0)
    if order is None:
        raise DomainError(_("Choose the order being audited."))
    p = plan(lot, level, cartons)
    opened = cartons_opened or 0
    if opened < 0:
        raise DomainError(_("Cartons opened must be a whole number."))
    if p.cartons and opened < p.cartons_to_open:
        raise DomainError(_("Open at least %(n)d cartons (the square root of %(c)d).", n=p.cartons_to_open,
                            c=p.cartons))
    if opened > p.cartons:
        raise DomainError(_("More cartons opened than the lot has."))
    found = [v or 0 for v in (critical, major, minor)]
    if min(found) < 0:
        raise DomainError(_("Defect counts must be whole numbers, 0 or more."))
    passed = found[0] <= p.critical.accept and found[1] <= p.major.accept and found[2] <= p.minor.accept
    with write_transaction():
        a = AqlAudit(order_id=order.id, inspector_id=inspector_id, lot_size=p.lot, level=p.level, code_letter=p.letter,
                     sample_size=p.sample, cartons_total=p.cartons, cartons_opened=opened, critical_found=found[0],
                     major_found=found[1], minor_found=found[2], critical_ac=0, major_ac=p.major.accept,
                     minor_ac=p.minor.accept, major_sample=p.major.sample, minor_sample=p.minor.sample,
                     result=InspectionResult.PASS if passed else InspectionResult.FAIL, notes=(notes or "").strip()[:500])
        db.session.add(a)
        db.session.flush()
        signals.audit_recorded.send(None, audit_id=a.id, order_id=order.id, result=a.result.value, at=clock.utcnow())
        if passed:
            signals.audit_passed.send(None, order_id=order.id, at=clock.utcnow())
    return a


def get(audit_id: int) -> AqlAudit:
    a = db.session.get(AqlAudit, audit_id)
    if a is None:
        raise DomainError(_("That audit does not exist."), status=404)
    return a
