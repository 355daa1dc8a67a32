"""Scans held for a supervisor: queued items whose maker's signed identity did not verify.

They are never credited to whoever happened to send them. A supervisor credits one to the operator who
made it (a normal ledger entry with the supervisor as its author, the item's client id keeping it
exactly once) or discards it with a note; both are recorded on the held row.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import HeldScan, Role, User
from shopfloor.scan.services import MAX_CLIENT_ID, ScanResult, record_scan
from shopfloor.vocabulary import HeldScanStatus


def hold(*, client_id: str, bundle_ref: str, operation_id: int | None, qty: int | None, reason: str,
         sent_by_id: int | None) -> HeldScan:
    """Keep an unverified queued scan for a supervisor (a resend of the same item is kept once)."""
    if not client_id or len(client_id) > MAX_CLIENT_ID or not client_id.isprintable():
        raise DomainError(_("The scan's client id is not valid."), status=422)
    existing = db.session.scalar(select(HeldScan).where(HeldScan.client_id == client_id))
    if existing is not None:
        return existing
    with write_transaction():
        held = HeldScan(client_id=client_id, bundle_ref=(bundle_ref or "")[:200], operation_id=operation_id,
                        qty=qty, reason=reason[:200], sent_by_id=sent_by_id)
        db.session.add(held)
    return held


def pending() -> list[HeldScan]:
    return list(db.session.scalars(select(HeldScan).where(HeldScan.status == HeldScanStatus.PENDING)
                                   .order_by(HeldScan.created_at)))


def _pending(held_id: int) -> HeldScan:
    held = db.session.get(HeldScan, held_id)
    if held is None:
        raise DomainError(_("That held scan does not exist."), status=404)
    if held.status != HeldScanStatus.PENDING:
        raise DomainError(_("This held scan was already dealt with."), status=409)
    return held


def credit(held_id: int, *, operator_id: int | None, supervisor_id: int) -> ScanResult:
    """Credit a held scan to the operator who made it, as the supervisor's entry."""
    held = _pending(held_id)
    operator = db.session.get(User, operator_id or 0)
    if operator is None or operator.role != Role.OPERATOR.value:
        raise DomainError(_("Choose the operator who made this scan."))
    result = record_scan(operator_id=operator.id, operator_line_id=operator.line_id, bundle_ref=held.bundle_ref,
                         operation_id=held.operation_id, qty=held.qty, client_id=held.client_id,
                         confirmed_by=supervisor_id, log_anyway=True)  # the supervisor decides
    with write_transaction():
        held = db.session.get(HeldScan, held_id)
        held.status, held.credited_to_id = HeldScanStatus.CREDITED, operator.id
        held.resolved_by_id, held.resolved_at = supervisor_id, clock.utcnow()
    return result


def discard(held_id: int, *, supervisor_id: int, note: str) -> HeldScan:
    held = _pending(held_id)
    if len((note or "").strip()) < 3:
        raise DomainError(_("Say why the scan is discarded."))
    with write_transaction():
        held.status, held.note = HeldScanStatus.DISCARDED, note.strip()[:500]
        held.resolved_by_id, held.resolved_at = supervisor_id, clock.utcnow()
    return held
