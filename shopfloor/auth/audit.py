"""The audit log: every change to who may get in, and to people and lines, is written with who did it and when.

`changes` (optional) records field by field what changed: {"field": [old, new]}, values as shown to people
(a line's code, a role's name), never a secret (a PIN or password change is recorded as "changed").
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, User

UNLOCK = "unlock"
BADGE_REISSUE = "badge_reissue"
BADGE_REVOKE = "badge_revoke"
KIOSK_ROTATE = "kiosk_rotate"
SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
PERSON_ADD = "person_add"
PERSON_EDIT = "person_edit"
PERSON_DEACTIVATE = "person_deactivate"
PERSON_REACTIVATE = "person_reactivate"
PIN_RESET = "pin_reset"
PASSWORD_RESET = "password_reset"
LINE_ADD = "line_add"
LINE_EDIT = "line_edit"
LINE_RETIRE = "line_retire"
LINE_RESTORE = "line_restore"
STYLE_IMPORT = "style_import"
ORDER_IMPORT = "order_import"

LABELS = {
    UNLOCK: _l("Unlocked"),
    BADGE_REISSUE: _l("New badge"),
    BADGE_REVOKE: _l("Badge revoked"),
    KIOSK_ROTATE: _l("New board link"),
    SIGN_OUT_EVERYWHERE: _l("Signed out everywhere"),
    PERSON_ADD: _l("Added"),
    PERSON_EDIT: _l("Changed"),
    PERSON_DEACTIVATE: _l("Deactivated"),
    PERSON_REACTIVATE: _l("Reactivated"),
    PIN_RESET: _l("New PIN"),
    PASSWORD_RESET: _l("New password"),
    LINE_ADD: _l("Line added"),
    LINE_EDIT: _l("Line changed"),
    LINE_RETIRE: _l("Line retired"),
    LINE_RESTORE: _l("Line back in use"),
    STYLE_IMPORT: _l("Style imported"),
    ORDER_IMPORT: _l("Order imported"),
}


def label(action: str) -> str:
    """An action as people read it (an unknown one as stored)."""
    return str(LABELS.get(action, action))


def record(actor_id: int | None, action: str, target: str = "", details: str = "",
           changes: dict[str, tuple] | None = None) -> None:
    """Add an entry in the caller's write transaction (it commits or rolls back with the change).
    changes: {"field": (old, new)} of what changed, when there is something to show field by field."""
    db.session.add(AuditEntry(at=utcnow(), actor_id=actor_id, action=action, target=target[:120],
                              details=details[:500],
                              changes={k: [_shown(o), _shown(n)] for k, (o, n) in changes.items()} if changes else None))


def _shown(value):
    """A value as stored in the trail: text cut to a sensible length, None and booleans kept."""
    if value is None or isinstance(value, bool):
        return value
    return str(value)[:200]


PAGE = 50


def actions() -> list[tuple[str, str]]:
    """Every action with its name, by name (the log's filter)."""
    return sorted(((code, str(name)) for code, name in LABELS.items()), key=lambda a: a[1].casefold())


def recent(limit: int = PAGE, *, action: str | None = None, before: int | None = None) -> list:
    """The newest entries (of one action; older than the entry `before`), each as (entry, the name of the person
    who made it; None: the system's own)."""
    stmt = select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.actor_id)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    return list(db.session.execute(stmt.order_by(AuditEntry.id.desc()).limit(limit)).all())


def about(target: str, limit: int = 200) -> list[AuditEntry]:
    """The entries about one target ("user:12", "line:3"), newest first."""
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.target == target)
                                   .order_by(AuditEntry.id.desc()).limit(limit)))
