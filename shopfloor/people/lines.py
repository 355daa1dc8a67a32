"""Lines: add, change (code, name, planned efficiency), retire or bring back. A retired line leaves the pickers,
the board and the schedule; its orders, work and people keep pointing at it (history is never rewritten).
Every change is audited ("line:<id>")."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Order
from shopfloor.vocabulary import ORDERS_OPEN

MIN_EFFICIENCY, MAX_EFFICIENCY = Decimal(1), Decimal(150)   # planned efficiency, in %


def line(line_id: int) -> Line:
    found = db.session.get(Line, line_id)
    if found is None:
        raise DomainError(_("That line does not exist."), status=404)
    return found


def _checked(code: str, name: str, efficiency: Decimal | None, exclude_id: int | None) -> tuple[str, str, Decimal]:
    if not code:
        raise DomainError(_("A line needs a code."))
    if not name:
        raise DomainError(_("A line needs a name."))
    if efficiency is None or not MIN_EFFICIENCY <= efficiency <= MAX_EFFICIENCY:
        raise DomainError(_("Planned efficiency is a percentage from %(a)d to %(b)d.", a=MIN_EFFICIENCY,
                            b=MAX_EFFICIENCY))
    stmt = select(Line.id).where(func.lower(Line.code) == code.lower())
    if exclude_id is not None:
        stmt = stmt.where(Line.id != exclude_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise DomainError(_("There is already a line %(code)s.", code=code), status=409)
    return code, name, (efficiency / 100).quantize(Decimal("0.01"))


def _percent(value) -> str:
    return f"{Decimal(value) * 100:.0f} %"


def _saved(work):
    try:
        with write_transaction():
            return work()
    except IntegrityError:
        raise DomainError(_("Someone else just took that line code. Try again."), status=409) from None


def add_line(actor_id: int, *, code: str, name: str, efficiency: Decimal | None) -> Line:
    code, name, eff = _checked(code, name, efficiency, None)

    def work():
        new = Line(code=code, name=name, target_efficiency=eff, active=True)
        db.session.add(new)
        db.session.flush()
        audit.record(actor_id, audit.LINE_ADD, f"line:{new.id}", code,
                     changes={"code": (None, code), "name": (None, name), "efficiency": (None, _percent(eff))})
        return new

    return _saved(work)


def update_line(actor_id: int, line_id: int, *, code: str, name: str, efficiency: Decimal | None) -> dict:
    found = line(line_id)
    code, name, eff = _checked(code, name, efficiency, found.id)
    old = {"code": found.code, "name": found.name, "efficiency": _percent(found.target_efficiency)}
    new = {"code": code, "name": name, "efficiency": _percent(eff)}
    changed = {k: (old[k], new[k]) for k in new if old[k] != new[k]}
    if not changed and Decimal(found.target_efficiency) == eff:
        return {}

    def work():
        found.code, found.name, found.target_efficiency = code, name, eff
        audit.record(actor_id, audit.LINE_EDIT, f"line:{found.id}", code, changes=changed or None)

    _saved(work)
    return changed


def set_line_active(actor_id: int, line_id: int, active: bool) -> Line:
    found = line(line_id)
    if found.active == active:
        return found
    if not active:
        open_orders = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.line_id == found.id, Order.status.in_(ORDERS_OPEN)))
        if open_orders:
            raise DomainError(_("Line %(code)s still has %(n)d open orders: move or finish them before retiring it.",
                                code=found.code, n=open_orders), status=409)

    def work():
        found.active = active
        audit.record(actor_id, audit.LINE_RESTORE if active else audit.LINE_RETIRE, f"line:{found.id}", found.code,
                     changes={"active": (not active, active)})

    _saved(work)
    return found

