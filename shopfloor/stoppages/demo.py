"""Demo stoppages: a few closed today and one still open (past the board's alert), through the services."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.models import Line, Role, User
from shopfloor.stoppages import services
from shopfloor.vocabulary import StopReason, StopScope

# (minutes ago it started, minutes it lasted or None while open, scope, reason, line index, operator index, machine)
DEMO_STOPS = [
    (150, 30, StopScope.OPERATOR, StopReason.BREAKDOWN, 0, 0, "M-07"),
    (100, 20, StopScope.LINE, StopReason.NO_WORK, 1, None, None),
    (70, 5, StopScope.OPERATOR, StopReason.NEEDLE_THREAD, 0, 1, None),
    (50, 15, StopScope.MACHINE, StopReason.QUALITY, 1, None, "M-12"),
    (40, 12, StopScope.LINE, StopReason.MEETING, 0, None, None),
    (14, None, StopScope.OPERATOR, StopReason.BREAKDOWN, 1, 2, "M-21"),
]


def seed_stoppages(_rng) -> None:
    supervisor = db.session.scalar(select(User).where(User.role == Role.SUPERVISOR.value))
    lines = list(db.session.scalars(select(Line).order_by(Line.code)))
    if supervisor is None or not lines:
        return
    now = clock.utcnow()
    for ago, lasted, scope, reason, line_i, op_i, machine in DEMO_STOPS:
        line = lines[line_i % len(lines)]
        operator = None
        if op_i is not None:
            operator = db.session.scalars(select(User).where(User.role == Role.OPERATOR.value, User.line_id == line.id)
                                          .order_by(User.id).offset(op_i).limit(1)).first()
            if operator is None:
                continue
        start = now - timedelta(minutes=ago)
        stop = services.raise_stop(operator or supervisor, scope=scope, reason=reason, line_id=line.id,
                                   operator_id=operator.id if operator else None, machine=machine, now=start)
        services.acknowledge(stop.id, supervisor, now=start + timedelta(minutes=2))
        if lasted is not None:
            services.close(stop.id, supervisor, now=start + timedelta(minutes=lasted))
