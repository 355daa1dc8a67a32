"""Supervisor actions: assign operators, correct scans by reversal."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shopfloor.attendance import kept
from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Operation, Order, User
from shopfloor.scan.services import reverse_entry
from shopfloor.vocabulary import ORDERS_OPEN

ASSIGN_OPERATION = "assign_operation"
audit.LABELS.update({ASSIGN_OPERATION: _l("Operation assigned")})


def assign(user_id: int, *, line_id: int | None, operation_id: int | None, actor_id: int | None = None) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != "operator":
        raise DomainError(_("Only operators are assigned to lines and operations."), status=404)
    if line_id is not None and db.session.get(Line, line_id) is None:
        raise DomainError(_("That line does not exist."))
    if operation_id is not None:
        op = db.session.get(Operation, operation_id)
        if op is None or not op.active:
            raise DomainError(_("That operation does not exist."))
        running = set(db.session.scalars(select(Order.style_id).where(
            Order.line_id == line_id, Order.status.in_(ORDERS_OPEN))))
        if line_id is not None and running and op.style_id not in running:
            raise DomainError(_("That operation belongs to a style that is not running on this line."))
    with write_transaction():
        if (user.line_id, user.assigned_operation_id) != (line_id, operation_id):
            audit.record(actor_id, ASSIGN_OPERATION, target=user.name,
                         details=f"line {user.line_id or '-'} -> {line_id or '-'}, "
                                 f"operation {user.assigned_operation_id or '-'} -> {operation_id or '-'}")
        if user.line_id != line_id:
            kept.forget_operator(user.id)   # days they logged nothing count on the line they are on
        user.line_id, user.assigned_operation_id = line_id, operation_id
    return user


def correct(log_id: int, *, supervisor_id: int, reason: str) -> int:
    """A supervisor's correction: a reversal row with the reason, shown in the bundle's history."""
    if len((reason or "").strip()) < 3:
        raise DomainError(_("Give a reason for the correction."), status=422)
    return reverse_entry(log_id, by_user_id=supervisor_id, reason=reason)
