"""Demo skill matrix: each demo operator expert on the operation they work, qualified on its machine type, and
learning one more operation of the line's style, so the balance page proposes a real allocation after
`make run` (set through the service, audited like a supervisor's)."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.balance import queries, services
from shopfloor.extensions import db
from shopfloor.models import Line, Operation, Role, User
from shopfloor.vocabulary import SkillLevel


def seed_skills(rng) -> None:
    supervisor = db.session.scalar(select(User).where(User.role == Role.SUPERVISOR.value))
    if supervisor is None:
        return
    styles = queries.running_style_ids()
    for line in db.session.scalars(select(Line).order_by(Line.code)).all():
        style_id = styles.get(line.id)
        if style_id is None:
            continue
        ops = db.session.scalars(select(Operation).where(Operation.style_id == style_id, Operation.active.is_(True))
                                 .order_by(Operation.seq)).all()
        plan = [(u.id, u.assigned_operation_id) for u in queries.operators(line.id)]
        for uid, op_id in plan:
            own = next((o for o in ops if o.id == op_id), None)
            if own is None:
                continue
            services.set_skill(supervisor, uid, operation_id=own.id, level=SkillLevel.EXPERT)
            if own.machine:
                services.set_skill(supervisor, uid, machine=own.machine, level=SkillLevel.QUALIFIED)
            other = rng.choice([o for o in ops if o.machine != own.machine] or ops)
            if other.id != own.id:
                services.set_skill(supervisor, uid, operation_id=other.id, level=SkillLevel.LEARNING)
