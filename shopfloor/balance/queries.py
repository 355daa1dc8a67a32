"""Read-only: a line's running style and operators, who is stopped, and the skill matrix."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Line, Operation, Order, Role, Style, User
from shopfloor.models.skills import MachineSkill, OperationSkill
from shopfloor.models.stoppages import Stoppage
from shopfloor.vocabulary import ORDERS_ON_FLOOR, STOPS_ACTIVE, SkillLevel, StopScope


def lines() -> list[Line]:
    return list(db.session.scalars(select(Line).where(Line.active.is_(True)).order_by(Line.code)))


def line(line_id: int | None) -> Line | None:
    return db.session.get(Line, line_id) if line_id else None


def running_style_ids() -> dict[int, int]:
    """Each line's running style: the style of its earliest-due order on the floor (as the board reads it)."""
    out: dict[int, int] = {}
    for line_id, style_id in db.session.execute(select(Order.line_id, Order.style_id)
                                                .where(Order.status.in_(ORDERS_ON_FLOOR), Order.line_id.is_not(None))
                                                .order_by(Order.due_date, Order.id)):
        out.setdefault(line_id, style_id)
    return out


def running_style(line_id: int) -> Style | None:
    style_id = running_style_ids().get(line_id)
    return db.session.get(Style, style_id) if style_id else None


def styles() -> list[Style]:
    return list(db.session.scalars(select(Style).where(Style.active.is_(True)).order_by(Style.code)))


def style(style_id: int | None) -> Style | None:
    return db.session.get(Style, style_id) if style_id else None


def active_operations(style: Style) -> list[Operation]:
    return [op for op in style.operations if op.active]


def operators(line_id: int) -> list[User]:
    """The line's active operators (the stand-in for who is present today until attendance is kept)."""
    return list(db.session.scalars(select(User).where(User.role == Role.OPERATOR.value, User.active.is_(True),
                                                      User.line_id == line_id).order_by(User.name, User.id)))


def stopped_operator_ids(line_id: int) -> set[int]:
    """Operators of the line whose own stop is not closed (they cannot work now)."""
    return set(db.session.scalars(select(Stoppage.operator_id).where(
        Stoppage.line_id == line_id, Stoppage.scope == StopScope.OPERATOR, Stoppage.status.in_(STOPS_ACTIVE))))


def operation_levels(operator_ids: list[int]) -> dict[tuple[int, int], SkillLevel]:
    if not operator_ids:
        return {}
    return {(r.operator_id, r.operation_id): r.level for r in db.session.scalars(
        select(OperationSkill).where(OperationSkill.operator_id.in_(operator_ids)))}


def machine_levels(operator_ids: list[int]) -> dict[tuple[int, str], SkillLevel]:
    """(operator, machine type folded to lower case) -> level."""
    if not operator_ids:
        return {}
    return {(r.operator_id, r.machine.casefold()): r.level for r in db.session.scalars(
        select(MachineSkill).where(MachineSkill.operator_id.in_(operator_ids)))}


def qualifications(operator_ids: list[int], operations: list[Operation]) -> dict[tuple[int, int], SkillLevel]:
    """Who may run which operation, at which level: the operation's own level, else the level on its machine
    type (operations with no machine type named are qualified only by their own level)."""
    by_op, by_machine = operation_levels(operator_ids), machine_levels(operator_ids)
    out: dict[tuple[int, int], SkillLevel] = {}
    for uid in operator_ids:
        for op in operations:
            level = by_op.get((uid, op.id)) or (by_machine.get((uid, op.machine.casefold())) if op.machine else None)
            if level is not None:
                out[(uid, op.id)] = level
    return out


def machine_types(operations: list[Operation]) -> list[str]:
    seen: dict[str, str] = {}
    for op in operations:
        if op.machine and op.machine.casefold() not in seen:
            seen[op.machine.casefold()] = op.machine
    return list(seen.values())
