"""The audit log: every change to who may get in is written with who did it and when."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.models import AuditEntry

UNLOCK = "unlock"
BADGE_REISSUE = "badge_reissue"
BADGE_REVOKE = "badge_revoke"
KIOSK_ROTATE = "kiosk_rotate"
SIGN_OUT_EVERYWHERE = "sign_out_everywhere"


def record(actor_id: int | None, action: str, target: str = "", details: str = "") -> None:
    """Add an entry in the caller's write transaction (it commits or rolls back with the change)."""
    db.session.add(AuditEntry(at=utcnow(), actor_id=actor_id, action=action, target=target[:120],
                              details=details[:500]))


def recent(limit: int = 50) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
