"""Line balance: the skill matrix set by a supervisor, a proposed allocation of the present operators to the
style's operations (balance/solver.py), applied in one tap, and replacements for uncovered operations.
Every refusal is a DomainError in the user's language; every change is written to the audit log."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shopfloor import clock
from shopfloor.attendance import queries as presence_queries
from shopfloor.auth import audit
from shopfloor.balance import measure, plan, queries, solver
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Operation, Order, Role, Style, User
from shopfloor.models.skills import MachineSkill, OperationSkill
from shopfloor.supervise.services import ASSIGN_OPERATION
from shopfloor.vocabulary import ORDERS_OPEN, Presence, SkillLevel

SKILL_SET = "skill_set"
audit.LABELS.update({SKILL_SET: _l("Skill level set")})


@dataclass
class Floor:
    """Everything a balance is computed from, read once per request."""
    line: Line
    style: Style
    ops: list[plan.Op]
    people: list[plan.Person]              # the line's active operators
    present: set[int]                      # ticked present and not stopped
    stopped: set[int]
    assigned: dict[int, int]               # operator -> assigned operation id (users.assigned_operation_id)
    levels: dict[tuple[int, int], SkillLevel]
    measured: dict[tuple[int, int], measure.Measured]
    efficiency: dict[tuple[int, int], float]   # qualified pairs: measured, else the level's assumed figure

    @property
    def qualified(self) -> set[tuple[int, int]]:
        return set(self.levels)

    def planned_efficiency(self, operator_id: int, operation_id: int) -> float:
        """For a pair outside the matrix (someone assigned where they are not qualified): measured, else the
        line's planned efficiency."""
        key = (operator_id, operation_id)
        if key in self.efficiency:
            return self.efficiency[key]
        m = self.measured.get(key)
        return (m.usable if m and m.usable else None) or float(self.line.target_efficiency)

    @property
    def default_target(self) -> float:
        """The line's planned output per hour: present operators x 60 / total SAM x the line's efficiency."""
        total = sum(o.sam for o in self.ops)
        return len(self.present) * 60.0 / total * float(self.line.target_efficiency) if total else 0.0


def planned_efficiency(key: tuple[int, int], level: SkillLevel, measured: dict[tuple[int, int], measure.Measured]) -> float:
    """The efficiency a balance plans an operator with on an operation they are qualified for: measured on it;
    else their best measured pace on any operation scaled by the level (qualified = 75/90 of it, learning =
    50/90); else the level's figure (SkillLevel.assumed_efficiency), for someone never measured."""
    m = measured.get(key)
    if m is not None and m.usable is not None:
        return m.usable
    paces = [v.usable for (i, _j), v in measured.items() if i == key[0] and v.usable is not None]
    if paces:
        return max(paces) * level.assumed_efficiency / SkillLevel.EXPERT.assumed_efficiency
    return level.assumed_efficiency


def floor(line_id: int | None, style_id: int | None = None, present: set[int] | None = None) -> Floor:
    """The line, its style (the running one unless another is chosen), its operators and their skills.
    `present`: the operators ticked present (None: those clocked in and not gone today, or everyone while
    nobody of the line has clocked in — a factory that does not clock, or before the shift; never the stopped)."""
    line = queries.line(line_id)
    if line is None:
        raise DomainError(_("Choose a line."), status=404 if line_id else 422)
    style = queries.style(style_id) if style_id else queries.running_style(line.id)
    if style is None:
        raise DomainError(_("Choose the style to balance: no order is running on %(line)s.", line=line.name))
    operations = queries.active_operations(style)
    if not operations:
        raise DomainError(_("%(style)s has no operations in its bulletin.", style=style.code))
    users = queries.operators(line.id)
    ids = [u.id for u in users]
    stopped = queries.stopped_operator_ids(line.id)
    chosen = (came_in(line.id) or set(ids)) if present is None else set(present)
    chosen &= set(ids)
    levels = queries.qualifications(ids, operations)
    measured = measure.by_operation(ids, clock.local_today())
    eff = {key: planned_efficiency(key, level, measured) for key, level in levels.items()}
    return Floor(line=line, style=style,
                 ops=[plan.Op(o.id, o.seq, o.name, o.machine or "", float(o.sam)) for o in operations],
                 people=[plan.Person(u.id, u.name) for u in users], present=chosen - stopped, stopped=stopped,
                 assigned={u.id: u.assigned_operation_id for u in users if u.assigned_operation_id},
                 levels=levels, measured=measured, efficiency=eff)


def came_in(line_id: int) -> set[int]:
    """Operators of the line clocked in and not gone today (attendance's presence)."""
    return {r.id for lp in presence_queries.presence(line_id=line_id) if lp.id == line_id for r in lp.rows
            if r.status in (Presence.PRESENT, Presence.LATE)}


def propose(f: Floor, target: float | None = None) -> plan.LinePlan:
    """The allocation of the present operators that maximises the line's output per hour."""
    people = [p for p in f.people if p.id in f.present]
    if not people:
        raise DomainError(_("Nobody is present on %(line)s: tick the operators who came in.", line=f.line.name))
    eff = {(i, j): e for (i, j), e in f.efficiency.items() if i in f.present}
    nobody = [o for o in f.ops if not any((p.id, o.id) in eff for p in people)]
    if nobody:
        machines = sorted({o.machine for o in nobody if o.machine})
        raise DomainError(_("Nobody present can run %(ops)s (%(machines)s). Nothing was proposed or assigned: "
                            "set skills in the skill matrix, or tick an operator who can.",
                            ops=", ".join(f"{o.seq}. {o.name}" for o in nobody),
                            machines=", ".join(machines) or _("no machine type")), code="no_qualified_operator")
    allocation = solver.solve({o.id: o.sam for o in f.ops}, [p.id for p in people], eff)
    return plan.build(f.ops, people, eff, allocation, f.default_target if target is None else target)


def coverage(f: Floor):
    """(output per hour with everyone assigned, with the present only, [uncovered operations with
    replacements]) for the current assignments (users.assigned_operation_id)."""
    eff = dict(f.efficiency)
    for i, j in f.assigned.items():
        eff.setdefault((i, j), f.planned_efficiency(i, j))
    return plan.uncovered(f.ops, f.people, f.assigned, f.present, eff, f.qualified)


@dataclass
class View:
    """The balance page: the floor, the proposal (None when refused), and the coverage of today's assignments."""
    floor: Floor
    plan: plan.LinePlan | None
    before: float
    without: float
    uncovered: list[plan.Uncovered]


def view(line_id: int | None, style_id: int | None, present: set[int] | None, target: float | None,
         *, solve: bool = True) -> View:
    f = floor(line_id, style_id, present)
    proposal = propose(f, target) if solve else None
    before, without, uncovered = coverage(f)
    return View(f, proposal, before, without, uncovered)


def apply(actor: User, line_id: int | None, assignments: dict[int, int]) -> int:
    """Assign each operator to their operation (a split operator to their main one) in one write; each change
    audited. Returns how many operators changed. Refuses the whole set if one assignment is not allowed."""
    line = db.session.get(Line, line_id or 0)
    if line is None:
        raise DomainError(_("Choose a line."))
    if not assignments:
        raise DomainError(_("There is no allocation to apply."))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(assignments))))}
    ops = {o.id: o for o in db.session.scalars(select(Operation).where(Operation.id.in_(set(assignments.values()))))}
    running = set(db.session.scalars(select(Order.style_id).where(Order.line_id == line.id,
                                                                   Order.status.in_(ORDERS_OPEN))))
    levels = queries.qualifications(list(users), list(ops.values()))
    for uid, op_id in assignments.items():
        user, op = users.get(uid), ops.get(op_id)
        if user is None or user.role != Role.OPERATOR.value or not user.active or user.line_id != line.id:
            raise DomainError(_("Only active operators of %(line)s are assigned here.", line=line.name))
        if op is None or not op.active:
            raise DomainError(_("That operation does not exist."))
        if running and op.style_id not in running:
            raise DomainError(_("That operation belongs to a style that is not running on this line."))
        if (uid, op_id) not in levels:
            raise DomainError(_("%(name)s is not qualified for %(op)s: set it in the skill matrix first.",
                                name=user.name, op=op.name))
    changed = 0
    with write_transaction():
        for uid, op_id in sorted(assignments.items()):
            user = users[uid]
            if user.assigned_operation_id == op_id:
                continue
            old = user.assigned_operation_id
            user.assigned_operation_id = op_id
            audit.record(actor.id, ASSIGN_OPERATION, target=user.name,
                         details=f"line {line.code}: operation {old or '-'} -> {op_id} ({ops[op_id].name})")
            changed += 1
    return changed


def set_skill(actor: User, operator_id: int | None, *, operation_id: int | None = None, machine: str | None = None,
              level: SkillLevel | None) -> User:
    """Set (or with level None, remove) an operator's level on an operation or on a machine type."""
    user = db.session.get(User, operator_id or 0)
    if user is None or user.role != Role.OPERATOR.value:
        raise DomainError(_("Choose an operator."))
    if operation_id is not None:
        op = db.session.get(Operation, operation_id)
        if op is None:
            raise DomainError(_("That operation does not exist."))
        row = db.session.scalar(select(OperationSkill).where(OperationSkill.operator_id == user.id,
                                                             OperationSkill.operation_id == op.id))
        what = f"{op.style.code} {op.seq}. {op.name}"
    else:
        machine = (machine or "").strip()
        known = {m.casefold(): m for m in db.session.scalars(select(Operation.machine).distinct()) if m}
        if machine.casefold() not in known:
            raise DomainError(_("Choose an operation or a machine type."))
        machine = known[machine.casefold()]
        row = db.session.scalar(select(MachineSkill).where(MachineSkill.operator_id == user.id,
                                                           MachineSkill.machine == machine))
        what = machine
    with write_transaction():
        if level is None:
            if row is not None:
                db.session.delete(row)
        elif row is not None:
            row.level, row.set_by_id, row.set_at = level, actor.id, clock.utcnow()
        elif operation_id is not None:
            db.session.add(OperationSkill(operator_id=user.id, operation_id=operation_id, level=level,
                                          set_by_id=actor.id, set_at=clock.utcnow()))
        else:
            db.session.add(MachineSkill(operator_id=user.id, machine=machine, level=level, set_by_id=actor.id,
                                        set_at=clock.utcnow()))
        audit.record(actor.id, SKILL_SET, target=user.name, details=f"{what}: {level.value if level else 'none'}")
    return user
