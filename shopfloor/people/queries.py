"""Reads for people administration: the filtered list, a person's trail, lines, who goes on a badge sheet."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from shopfloor.auth import audit
from shopfloor.edge import lenient_whole, trimmed
from shopfloor.extensions import db
from shopfloor.models import Line, Role, User

LIST_LIMIT = 500
STATUSES = ("active", "inactive", "all")
ROLE_LABELS = {Role.OPERATOR.value: _l("Operator"), Role.QC.value: _l("QC inspector"), Role.PACKER.value: _l("Packer"),
               Role.SUPERVISOR.value: _l("Supervisor"), Role.MANAGER.value: _l("Manager"),
               Role.ADMIN.value: _l("Admin")}
FIELD_LABELS = {"name": _l("Name"), "role": _l("Role"), "line": _l("Line"), "language": _l("Language"),
                "username": _l("User name"), "badge": _l("Badge"), "pin": _l("PIN"), "password": _l("Password"),
                "active": _l("Active"), "code": _l("Code"), "efficiency": _l("Planned efficiency")}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


@dataclass(frozen=True)
class Filters:
    role: str = ""
    line_id: int | None = None
    status: str = "active"
    q: str = ""

    @classmethod
    def from_args(cls, a) -> Filters:
        """The filters a list's query string asks for (the people list, the access page); anything odd is ignored."""
        status = a.get("status", "active")
        return cls(role=a.get("role", ""), line_id=lenient_whole(a.get("line")),
                   status=status if status in STATUSES else "active", q=trimmed(a.get("q"), max_len=60))

    def args(self) -> dict:
        """The query string that asks for these filters again (only what differs from the defaults)."""
        wanted = {"q": self.q, "role": self.role, "line": self.line_id,
                  "status": None if self.status == "active" else self.status}
        return {k: v for k, v in wanted.items() if v}


def people(f: Filters) -> list[User]:
    stmt = select(User).options(joinedload(User.line)).order_by(User.active.desc(), User.name, User.id)
    if f.role in ROLE_LABELS:
        stmt = stmt.where(User.role == f.role)
    if f.line_id is not None:
        stmt = stmt.where(User.line_id == f.line_id)
    if f.status != "all":
        stmt = stmt.where(User.active.is_(f.status != "inactive"))
    if f.q:
        like = "%" + f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(User.name).like(like, escape="\\"),
                              func.lower(User.username).like(like, escape="\\"),
                              func.lower(User.badge_code).like(like, escape="\\")))
    return list(db.session.scalars(stmt.limit(LIST_LIMIT)))


def lines(include_retired: bool = True) -> list[Line]:
    stmt = select(Line).order_by(Line.active.desc(), Line.code)
    if not include_retired:
        stmt = stmt.where(Line.active.is_(True))
    return list(db.session.scalars(stmt))


def people_per_line() -> dict[int, int]:
    """Active people on each line."""
    return dict(db.session.execute(select(User.line_id, func.count()).where(
        User.line_id.is_not(None), User.active.is_(True)).group_by(User.line_id)).all())


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    who: str
    action: str
    details: str
    changes: list[Change]


def _value(field: str, value):
    if value is None:
        return "—"
    if field == "role":
        return role_label(value)
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    return value


def trail(target: str) -> list[TrailEntry]:
    """The audit entries about one person or line ("user:12"), newest first, with who made them."""
    entries = audit.about(target)
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({e.actor_id for e in entries if e.actor_id}))).all())
    return [TrailEntry(at=e.at, who=names.get(e.actor_id, "—"), action=audit.label(e.action), details=e.details,
                       changes=[Change(str(FIELD_LABELS.get(k, k)), _value(k, o), _value(k, n))
                                for k, (o, n) in (e.changes or {}).items()])
            for e in entries]


def badge_holders(person_ids: list[int], line_id: int | None) -> list[User]:
    """Who goes on a badge sheet: the people chosen, or every active operator of a line; only active people
    with a valid badge, by name."""
    if not person_ids and line_id is None:
        return []
    stmt = (select(User).options(joinedload(User.line))
            .where(User.active.is_(True), User.badge_code.is_not(None), User.badge_revoked.is_(False))
            .order_by(User.name, User.id))
    if person_ids:
        stmt = stmt.where(User.id.in_(person_ids))
    else:
        stmt = stmt.where(User.line_id == line_id, User.role == Role.OPERATOR.value)
    return list(db.session.scalars(stmt))

